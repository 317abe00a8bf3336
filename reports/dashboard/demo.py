"""Demo goals: the seed's 2021/2022/2025 goals, kept by the office on the dashboard's goals page."""

from accounts.models import User
from reports.dashboard.goals import seed_goals


def seed():
    seed_goals(User.objects.get(username="office"))
