-- Which reads use an image: the image protocol checks a user may see at least one read
-- showing it (8.8), and retention deletes an image once no read refers to it (9.5.1).
CREATE INDEX reads_plate_image ON reads(plate_image) WHERE plate_image IS NOT NULL;
CREATE INDEX reads_overview_image ON reads(overview_image) WHERE overview_image IS NOT NULL;
