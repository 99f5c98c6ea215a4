-- AlterTable
ALTER TABLE "Identity" ADD COLUMN     "linkedAt" TIMESTAMP(3);
