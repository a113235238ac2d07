"""The facilitator's cohort dashboard and the programme evaluation."""
