-- One row per PCN (key: pcn_code): the evaluation arm it belongs to. A PCN that is a pilot PCN
-- of any pilot is in the 'pilot' arm; otherwise a comparison PCN of any pilot is in the
-- 'comparison' arm; a PCN in no pilot is in the arm 'none'. pilot_name lists the pilots that
-- put it in that arm ('; ' between names, in name order).
WITH ranked AS (
    SELECT
        pcn_code,
        min(CASE arm WHEN 'pilot' THEN 1 WHEN 'comparison' THEN 2 END) AS arm_rank
    FROM stg_pilot_pcns
    GROUP BY pcn_code
),

named AS (
    SELECT
        r.pcn_code,
        CASE r.arm_rank WHEN 1 THEN 'pilot' ELSE 'comparison' END AS arm,
        string_agg(pp.pilot_name, '; ' ORDER BY pp.pilot_name) AS pilot_name,
        min(pp.go_live) AS go_live
    FROM ranked AS r
    JOIN stg_pilot_pcns AS pp
        ON pp.pcn_code = r.pcn_code
        AND pp.arm = CASE r.arm_rank WHEN 1 THEN 'pilot' ELSE 'comparison' END
    GROUP BY r.pcn_code, r.arm_rank
)

SELECT
    p.pcn_code,
    p.pcn_name,
    coalesce(n.arm, 'none') AS arm,
    n.pilot_name,
    n.go_live
FROM stg_pcns AS p
LEFT JOIN named AS n USING (pcn_code)
