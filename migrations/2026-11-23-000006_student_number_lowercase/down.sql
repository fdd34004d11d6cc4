ALTER TABLE students DROP CONSTRAINT students_number_check;
ALTER TABLE students ADD CONSTRAINT students_number_check
    CHECK (number ~ '^[A-Za-z0-9]{1,20}$');
