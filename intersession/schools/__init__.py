"""Hub and magnet schools, cohorts, subjects, the academic year, its sessions and the plan."""
