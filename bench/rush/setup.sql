-- :students (the rush's count) registered BMS bachelors with 75 EC and a GPA of 7.5.
INSERT INTO students (number, name, email, programme, level, ec, gpa, registered, first_year_diploma)
SELECT 'r' || lpad(g::text, 6, '0'), 'Rush Student ' || g, 'rush' || g || '@umail.example.nl', 'BMS', 'bachelor', 75, 7.5, true, true
FROM generate_series(1, :students) AS g
ON CONFLICT (number) DO NOTHING;
