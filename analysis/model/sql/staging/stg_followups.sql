-- One row per follow-up contact (key: referral_id, followup_week). SWEMWBS is scored only when
-- all seven items are present: raw sum 7-35, converted to the metric score.
WITH scored AS (
    SELECT
        *,
        CASE
            WHEN swemwbs_1 IS NULL OR swemwbs_2 IS NULL OR swemwbs_3 IS NULL OR swemwbs_4 IS NULL
                OR swemwbs_5 IS NULL OR swemwbs_6 IS NULL OR swemwbs_7 IS NULL THEN NULL
            ELSE swemwbs_1 + swemwbs_2 + swemwbs_3 + swemwbs_4 + swemwbs_5 + swemwbs_6 + swemwbs_7
        END AS swemwbs_raw
    FROM src_followups
)
SELECT
    s.referral_id,
    s.followup_week,
    s.followup_date,
    s.still_attending,
    s.sessions_attended,
    s.last_attended_date,
    s.swemwbs_raw,
    m.metric_score AS swemwbs_metric,
    s.ons4_satisfied,
    s.ons4_worthwhile,
    s.ons4_happy,
    s.ons4_anxious,
    s.sipam_days,
    s.stop_reason
FROM scored AS s
LEFT JOIN ref_swemwbs_metric AS m ON m.raw_score = s.swemwbs_raw
