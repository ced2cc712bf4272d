-- Aurora Time KPIs for each day of a range and for the range as a whole, in one scan of its partitions.
-- Parameters: the first and the last day, inclusive, as 'YYYY-MM-DD'. The row whose event_date is NULL is
-- the whole range (GROUPING SETS), so distinct users and percentiles of the range are computed, not summed.
-- Only SQL that Athena (Trino, engine v3) and DuckDB both run; docs/analytics.md lists that subset.
SELECT
  event_date,
  count(CASE WHEN event_type IN ('MessageReceived', 'PostbackReceived') THEN 1 END) AS messages_in,
  count(CASE WHEN event_type = 'MessageSent' THEN 1 END) AS messages_out,
  count(DISTINCT CASE
    WHEN event_type IN ('OtpVerified', 'ReminderRequested', 'ReminderChangeRequested') THEN detail.userId
  END) AS active_users,
  count(CASE WHEN event_type = 'OtpRequested' THEN 1 END) AS logins_requested,
  count(CASE WHEN event_type = 'OtpVerified' THEN 1 END) AS logins_verified,
  -- Every submitted code but the right one of each verified sign-in was wrong; an expiry is a failure too.
  greatest(
    count(CASE WHEN event_type = 'OtpCodeSubmitted' THEN 1 END)
      - count(CASE WHEN event_type = 'OtpVerified' THEN 1 END),
    0
  ) + count(CASE WHEN event_type = 'SessionExpired' THEN 1 END) AS logins_failed,
  count(CASE WHEN event_type = 'UserLockedOut' THEN 1 END) AS lockouts,
  count(CASE WHEN event_type = 'ReminderScheduled' THEN 1 END) AS reminders_created,
  -- One ReminderDelivered per channel: an occurrence is delivered once however many channels it reached.
  count(DISTINCT CASE
    WHEN event_type = 'ReminderDelivered' THEN detail.reminderId || ' ' || detail.scheduledFor
  END) AS reminders_delivered,
  count(CASE WHEN event_type = 'ReminderFailed' THEN 1 END) AS reminders_failed,
  count(CASE WHEN event_type = 'ReminderDropped' THEN 1 END) AS reminders_dropped,
  approx_percentile(CASE WHEN event_type = 'ReminderDelivered' THEN detail.latenessMs END, 0.5)
    AS lateness_p50_ms,
  approx_percentile(CASE WHEN event_type = 'ReminderDelivered' THEN detail.latenessMs END, 0.95)
    AS lateness_p95_ms,
  approx_percentile(CASE WHEN event_type = 'ReminderDelivered' THEN detail.latenessMs END, 0.99)
    AS lateness_p99_ms,
  -- A code mail per OtpRequested (no event marks the send itself) and each reminder delivered by email.
  count(CASE
    WHEN event_type = 'OtpRequested' THEN 1
    WHEN event_type = 'ReminderDelivered' AND detail.deliveredVia = 'email' THEN 1
  END) AS emails_sent,
  -- SES's own event (the configuration set's event destination, through the default bus).
  count(CASE WHEN event_type = 'Email Bounced' THEN 1 END) AS emails_bounced
FROM aurora_events
WHERE event_date BETWEEN ? AND ?
GROUP BY GROUPING SETS ((event_date), ())
ORDER BY event_date
