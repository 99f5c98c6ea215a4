-- A unit's own abbreviation for its document numbers ("12/BC-CĐHC") and the place its
-- documents are issued ("Việt Trì, ngày …"); null keeps what was done before (made from
-- the name; "Hà Nội").

-- AlterTable
ALTER TABLE "Unit" ADD COLUMN     "abbreviation" TEXT,
ADD COLUMN     "place" TEXT;
