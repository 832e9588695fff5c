"""依申请公开: requests for government information (Articles 27-45), their events and letters."""
