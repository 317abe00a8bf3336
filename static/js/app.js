// Site behaviour that must not live inline (CSP): confirmations, the print button, list tables as cards on phones.
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
  var printer = event.target.closest("[data-print]");
  if (printer) {
    event.preventDefault();
    window.print();
  }
});

// On phones a .table-cards list shows each row as a card; every cell is led by its column's name (app.css).
// Explicit table roles keep the rows and headers announced by screen readers that drop a table's semantics
// once its CSS display changes.
function labelCardCells(root) {
  root.querySelectorAll("table.table-cards").forEach(function (table) {
    if (!table.tHead || !table.tHead.rows.length) return;
    table.setAttribute("role", "table");
    table.querySelectorAll(":scope > thead, :scope > tbody").forEach(function (group) {
      group.setAttribute("role", "rowgroup");
    });
    table.querySelectorAll(":scope > thead > tr, :scope > tbody > tr").forEach(function (row) {
      row.setAttribute("role", "row");
    });
    table.querySelectorAll(":scope > thead > tr > th").forEach(function (cell) {
      cell.setAttribute("role", "columnheader");
    });
    table.querySelectorAll(":scope > tbody > tr > td").forEach(function (cell) {
      cell.setAttribute("role", "cell");
    });
    var heads = Array.prototype.map.call(table.tHead.rows[0].cells, function (cell) {
      return cell.textContent.trim();
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", cell.colSpan > 1 ? "" : heads[column] || "");
          }
          column += cell.colSpan;
        });
      });
    });
  });
}
document.addEventListener("DOMContentLoaded", function () {
  labelCardCells(document);
});
document.addEventListener("htmx:afterSettle", function () {
  labelCardCells(document);
});
