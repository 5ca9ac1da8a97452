"""The termination routine: four eyes, the scheduler, follow-up tasks and the monthly report."""
