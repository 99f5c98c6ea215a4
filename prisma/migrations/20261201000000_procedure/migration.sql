-- The union's procedure (issue 7): items travel up one level at a time (atUnitId and the
-- path in ReviewDecision), rewards decided by the granting level, targets of themes and
-- results against them, plaque works by occasion, campaign deadlines and closing.
-- Data follows in 20261201000001_procedure_data (new enum values cannot be used in the
-- transaction that adds them).

-- A work "REVIEWED" by an upper-grassroots union was waiting for the sector union: it is
-- now "PROPOSED" to the level above (REVIEWED is gone).
UPDATE "PlaqueWork" SET "status" = 'PROPOSED' WHERE "status" = 'REVIEWED';

-- AlterEnum
CREATE TYPE "WorkStatus_new" AS ENUM ('REGISTERED', 'RETURNED', 'PROPOSED', 'PLAQUED', 'DECLINED');
ALTER TABLE "PlaqueWork" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "PlaqueWork" ALTER COLUMN "status" TYPE "WorkStatus_new" USING ("status"::text::"WorkStatus_new");
ALTER TYPE "WorkStatus" RENAME TO "WorkStatus_old";
ALTER TYPE "WorkStatus_new" RENAME TO "WorkStatus";
DROP TYPE "WorkStatus_old";
ALTER TABLE "PlaqueWork" ALTER COLUMN "status" SET DEFAULT 'REGISTERED';

-- AlterEnum


ALTER TYPE "Decision" ADD VALUE 'SUBMIT';
ALTER TYPE "Decision" ADD VALUE 'FORWARD';
ALTER TYPE "Decision" ADD VALUE 'GRANT';
ALTER TYPE "Decision" ADD VALUE 'PASS';
ALTER TYPE "Decision" ADD VALUE 'FILE';
ALTER TYPE "Decision" ADD VALUE 'RECORD';

-- AlterTable
ALTER TABLE "Unit" ADD COLUMN     "reviewPassThrough" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "closedAt" TIMESTAMP(3),
ADD COLUMN     "closedById" INTEGER,
ADD COLUMN     "deadlinesDefault" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "includeSections" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "ThemeRegistration" ADD COLUMN     "atUnitId" INTEGER,
ADD COLUMN     "filedAt" TIMESTAMP(3),
ADD COLUMN     "filedOutside" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "late" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Theme" ADD COLUMN     "keyTask" TEXT,
ADD COLUMN     "responsible" TEXT;

-- AlterTable
ALTER TABLE "PhaseReport" ADD COLUMN     "atUnitId" INTEGER;

-- AlterTable
ALTER TABLE "Nomination" ADD COLUMN     "atUnitId" INTEGER,
ADD COLUMN     "decisionDate" DATE,
ADD COLUMN     "decisionNumber" TEXT,
ADD COLUMN     "grantedByUnitId" INTEGER,
ADD COLUMN     "grantedFormId" INTEGER,
ADD COLUMN     "position" TEXT;

-- AlterTable
ALTER TABLE "PlaqueWork" ADD COLUMN     "atUnitId" INTEGER,
ADD COLUMN     "occasion" TEXT,
ADD COLUMN     "occasionLevel" "UnitLevel" NOT NULL DEFAULT 'UPPER_GRASSROOTS';

-- AlterTable
ALTER TABLE "ReviewDecision" ADD COLUMN     "decisionDate" DATE,
ADD COLUMN     "decisionNumber" TEXT,
ADD COLUMN     "formId" INTEGER,
ADD COLUMN     "toUnitId" INTEGER,
ALTER COLUMN "reviewerId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "Broadcast" ADD COLUMN     "audience" TEXT NOT NULL DEFAULT 'members';

-- CreateTable
CREATE TABLE "ThemeTarget" (
    "id" SERIAL NOT NULL,
    "themeId" INTEGER NOT NULL,
    "indicator" TEXT NOT NULL,
    "measure" TEXT NOT NULL,
    "planned" DECIMAL(20,2) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removedAt" TIMESTAMP(3),

    CONSTRAINT "ThemeTarget_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TargetResult" (
    "reportId" INTEGER NOT NULL,
    "targetId" INTEGER NOT NULL,
    "value" DECIMAL(20,2) NOT NULL,

    CONSTRAINT "TargetResult_pkey" PRIMARY KEY ("reportId","targetId")
);

-- CreateIndex
CREATE INDEX "ThemeTarget_themeId_idx" ON "ThemeTarget"("themeId");

-- CreateIndex
CREATE INDEX "ThemeRegistration_atUnitId_idx" ON "ThemeRegistration"("atUnitId");

-- CreateIndex
CREATE INDEX "PhaseReport_atUnitId_idx" ON "PhaseReport"("atUnitId");

-- CreateIndex
CREATE INDEX "Nomination_atUnitId_idx" ON "Nomination"("atUnitId");

-- CreateIndex
CREATE INDEX "PlaqueWork_atUnitId_idx" ON "PlaqueWork"("atUnitId");

-- AddForeignKey
ALTER TABLE "ThemeTarget" ADD CONSTRAINT "ThemeTarget_themeId_fkey" FOREIGN KEY ("themeId") REFERENCES "Theme"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TargetResult" ADD CONSTRAINT "TargetResult_reportId_fkey" FOREIGN KEY ("reportId") REFERENCES "PhaseReport"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TargetResult" ADD CONSTRAINT "TargetResult_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "ThemeTarget"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

