-- 2,000 registered BMS bachelors with 75 EC and a GPA of 7.5, for the rush.
INSERT INTO students (number, name, email, programme, level, ec, gpa, registered, first_year_diploma)
SELECT 'r' || lpad(g::text, 6, '0'), 'Rush Student ' || g, 'rush' || g || '@umail.example.nl', 'BMS', 'bachelor', 75, 7.5, true, true
FROM generate_series(1, 2000) AS g
ON CONFLICT (number) DO NOTHING;
