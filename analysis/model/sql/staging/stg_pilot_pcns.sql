-- One row per pilot and PCN in it (key: pilot_name, pcn_code); arm is 'pilot' or 'comparison'.
SELECT
    pp.pilot_name,
    pp.pcn_code,
    pp.arm,
    p.go_live
FROM src_pilot_pcns AS pp
JOIN src_pilots AS p USING (pilot_name)
