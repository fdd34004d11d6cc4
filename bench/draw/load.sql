-- A university-wide lottery at full size, ready to close: 1,000 destinations × autumn
-- and spring (2,000 slots, 1–5 places each), 100,000 students each with one eligible
-- application of 10 choices. Demand is skewed (Zipf-like: the most popular destination
-- is the first choice of ~10%); 10 destinations are in a country under red advice, so
-- the draw blocks their slots. Loaded after `abroad seed-demo` (countries with advice,
-- programmes). Set-based: no loops.
BEGIN;
SELECT setseed(0.2026);

INSERT INTO calls (id, name, scheme, activity, semesters, opens_at, deadline, min_choices,
                   max_choices, max_low_chance, min_ec, min_gpa, motivation_per_choice,
                   motivation_min_words, motivation_max_words, selection, offer_days, status)
VALUES ('b0000000-0000-4000-8000-00000000d4a3', 'Bench draw: university-wide exchange, round 1',
        'university_wide', 'semester_exchange', ARRAY['autumn', 'spring'],
        now() - interval '60 days', now() - interval '1 day', 5, 10, 2, 60, 7.0, true, 200, 300,
        'lottery', 7, 'open');

-- 990 institutions in green-advice countries, 10 in the first red-advice one.
CREATE TEMP TABLE bench_green AS
SELECT code, row_number() OVER (ORDER BY code) - 1 AS n FROM countries WHERE advice = 'green';

INSERT INTO institutions (name, country, city)
SELECT 'Bench Draw University ' || g,
       CASE WHEN g > 990 THEN (SELECT min(code) FROM countries WHERE advice = 'red')
            ELSE (SELECT code FROM bench_green WHERE n = g % (SELECT count(*) FROM bench_green)) END,
       'Bench City ' || g
FROM generate_series(1, 1000) AS g;

INSERT INTO destinations (institution_id, exchange_type, offerings, languages, chance, semesters)
SELECT id, 'university_wide',
       '[{"level":"bachelor","activity":"semester_exchange","programme":null,"note":null},
         {"level":"master","activity":"semester_exchange","programme":null,"note":null}]',
       '[{"code":"en","min_level":"B2"}]',
       (ARRAY['high', 'medium', 'low'])[1 + (row_number() OVER (ORDER BY name)) % 3],
       '[{"semester":"autumn","dates":null},{"semester":"spring","dates":null}]'
FROM institutions WHERE name LIKE 'Bench Draw University %';

-- Popularity rank n (0 the most popular), in random order over the destinations.
CREATE TEMP TABLE bench_destinations AS
SELECT d.id, row_number() OVER (ORDER BY random()) - 1 AS n
FROM destinations d JOIN institutions i ON i.id = d.institution_id
WHERE i.name LIKE 'Bench Draw University %';
CREATE UNIQUE INDEX ON bench_destinations (n);

INSERT INTO call_places (call_id, destination_id, semester, places)
SELECT 'b0000000-0000-4000-8000-00000000d4a3', d.id, s.semester, 1 + floor(random() * 5)::int
FROM bench_destinations d CROSS JOIN (VALUES ('autumn'), ('spring')) AS s (semester);

INSERT INTO students (number, name, email, programme, level, ec, gpa, registered, first_year_diploma)
SELECT 'bd' || lpad(g::text, 6, '0'), 'Draw Student ' || g, 'bd' || g || '@umail.example.nl',
       (SELECT min(code) FROM programmes WHERE level = 'bachelor'), 'bachelor', 90, 7.5, true, true
FROM generate_series(1, 100000) AS g;

CREATE TEMP TABLE bench_applications AS
SELECT gen_random_uuid() AS id, g FROM generate_series(1, 100000) AS g;

INSERT INTO applications (id, call_id, student, programme, semester, plan_b, status,
                          programme_decision, programme_decided_by, programme_decided_at,
                          review_outcome, review_note, reviewed_by, reviewed_at, submitted_at)
SELECT a.id, 'b0000000-0000-4000-8000-00000000d4a3', 'bd' || lpad(a.g::text, 6, '0'),
       (SELECT min(code) FROM programmes WHERE level = 'bachelor'),
       CASE WHEN random() < 0.6 THEN 'autumn' ELSE 'spring' END, random() < 0.5, 'eligible',
       'approved', 'bench', now() - interval '3 days', 'eligible', 'ok', 'bench',
       now() - interval '2 days', now() - interval '5 days'
FROM bench_applications a;

-- 10 distinct choices each: 25 skewed draws (popularity rank ⌊1001^u⌋ − 1, so rank k is
-- drawn with probability ~ln((k+2)/(k+1)) / ln 1001), then 10 distinct fallbacks; the
-- first 10 distinct in that order are the choices, first choice first.
INSERT INTO application_choices (application_id, rank, destination_id)
SELECT application_id, rank, destination_id FROM (
    SELECT application_id, destination_id,
           row_number() OVER (PARTITION BY application_id ORDER BY first_k) AS rank
    FROM (
        SELECT c.application_id, d.id AS destination_id, min(c.k) AS first_k
        FROM (
            SELECT a.id AS application_id, k,
                   CASE WHEN k <= 25 THEN least(999, floor(power(1001, random()))::int - 1)
                        ELSE (a.g * 7 + k) % 1000 END AS n
            FROM bench_applications a CROSS JOIN generate_series(1, 35) AS k
        ) c JOIN bench_destinations d ON d.n = c.n
        GROUP BY c.application_id, d.id
    ) distinct_choices
) ranked
WHERE rank <= 10;

COMMIT;
ANALYZE calls;
ANALYZE institutions;
ANALYZE destinations;
ANALYZE call_places;
ANALYZE students;
ANALYZE applications;
ANALYZE application_choices;
