"""County applications (申报), special-group opinions, office recommendation, committee decision."""
