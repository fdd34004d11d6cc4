-- SPEC.md: a student number is lowercase letters and digits, one form only, so that
-- `S9100006` never becomes a second student. New and changed rows are held to it; rows
-- stored before (NOT VALID) are left for the office to correct, not refused on upgrade.
ALTER TABLE students DROP CONSTRAINT students_number_check;
ALTER TABLE students ADD CONSTRAINT students_number_check
    CHECK (number ~ '^[a-z0-9]{1,20}$') NOT VALID;
