-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "UnitLevel" AS ENUM ('CONFEDERATION', 'SECTOR', 'UPPER_GRASSROOTS', 'GRASSROOTS', 'SECTION');

-- CreateEnum
CREATE TYPE "UnitStatus" AS ENUM ('ACTIVE', 'CLOSED');

-- CreateEnum
CREATE TYPE "RoleKind" AS ENUM ('ADMIN', 'OFFICER', 'MEMBER');

-- CreateEnum
CREATE TYPE "InviteKind" AS ENUM ('OFFICER', 'MEMBER', 'GROUP_OFFICERS', 'GROUP_MEMBERS', 'IDENTITY');

-- CreateEnum
CREATE TYPE "ChatKind" AS ENUM ('PRIVATE', 'GROUP');

-- CreateEnum
CREATE TYPE "ChatPurpose" AS ENUM ('OFFICERS', 'MEMBERS');

-- CreateEnum
CREATE TYPE "CampaignStatus" AS ENUM ('DRAFT', 'ACTIVE', 'CLOSED');

-- CreateEnum
CREATE TYPE "CampaignDateKind" AS ENUM ('REGISTRATION_DEADLINE', 'REPORT_DEADLINE', 'PHASE_END', 'CONGRESS', 'OTHER');

-- CreateEnum
CREATE TYPE "SubmissionStatus" AS ENUM ('DRAFT', 'SUBMITTED', 'APPROVED', 'RETURNED', 'DECLINED');

-- CreateEnum
CREATE TYPE "NomineeKind" AS ENUM ('PERSON', 'COLLECTIVE');

-- CreateEnum
CREATE TYPE "WorkStatus" AS ENUM ('REGISTERED', 'RETURNED', 'REVIEWED', 'PROPOSED', 'PLAQUED', 'DECLINED');

-- CreateEnum
CREATE TYPE "SubjectType" AS ENUM ('REGISTRATION', 'REPORT', 'NOMINATION', 'WORK');

-- CreateEnum
CREATE TYPE "Decision" AS ENUM ('APPROVE', 'RETURN', 'DECLINE', 'PROPOSE', 'PLAQUE');

-- CreateEnum
CREATE TYPE "DataRequestKind" AS ENUM ('ACCESS', 'ERASE');

-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('PENDING', 'SENDING', 'SENT', 'FAILED');

-- CreateTable
CREATE TABLE "Unit" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "level" "UnitLevel" NOT NULL,
    "parentId" INTEGER,
    "path" TEXT NOT NULL,
    "depth" INTEGER NOT NULL,
    "status" "UnitStatus" NOT NULL DEFAULT 'ACTIVE',
    "demo" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" TIMESTAMP(3),

    CONSTRAINT "Unit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UnitParentHistory" (
    "id" SERIAL NOT NULL,
    "unitId" INTEGER NOT NULL,
    "parentId" INTEGER,
    "validFrom" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "validTo" TIMESTAMP(3),
    "changedById" INTEGER,

    CONSTRAINT "UnitParentHistory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Person" (
    "id" SERIAL NOT NULL,
    "displayName" TEXT NOT NULL,
    "locale" TEXT,
    "sandbox" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "erasedAt" TIMESTAMP(3),

    CONSTRAINT "Person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Identity" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "personId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Identity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Role" (
    "id" SERIAL NOT NULL,
    "personId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "kind" "RoleKind" NOT NULL,
    "grantedById" INTEGER,
    "grantedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "revokedById" INTEGER,

    CONSTRAINT "Role_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InviteCode" (
    "id" SERIAL NOT NULL,
    "codeHash" TEXT NOT NULL,
    "unitId" INTEGER,
    "kind" "InviteKind" NOT NULL,
    "personId" INTEGER,
    "createdById" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "maxUses" INTEGER NOT NULL DEFAULT 1,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "InviteCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InviteRedemption" (
    "id" SERIAL NOT NULL,
    "inviteId" INTEGER NOT NULL,
    "personId" INTEGER,
    "chatKey" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InviteRedemption_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CodeAttempt" (
    "id" SERIAL NOT NULL,
    "identityKey" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CodeAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Chat" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "kind" "ChatKind" NOT NULL,
    "title" TEXT,
    "unitId" INTEGER,
    "purpose" "ChatPurpose",
    "personId" INTEGER,
    "linkedById" INTEGER,
    "linkedAt" TIMESTAMP(3),
    "active" BOOLEAN NOT NULL DEFAULT true,
    "locale" TEXT,
    "prefs" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Chat_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" SERIAL NOT NULL,
    "number" TEXT NOT NULL,
    "templateKey" TEXT,
    "year" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "goals" TEXT NOT NULL,
    "issuingUnitId" INTEGER NOT NULL,
    "issuedOn" DATE NOT NULL,
    "registrationDeadline" DATE NOT NULL,
    "status" "CampaignStatus" NOT NULL DEFAULT 'ACTIVE',
    "figureKeys" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ContentArea" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "summary" TEXT NOT NULL,

    CONSTRAINT "ContentArea_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Phase" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "startsOn" DATE NOT NULL,
    "endsOn" DATE NOT NULL,
    "reportDeadline" DATE NOT NULL,
    "dedication" TEXT NOT NULL,

    CONSTRAINT "Phase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CampaignDate" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "kind" "CampaignDateKind" NOT NULL,
    "date" DATE NOT NULL,
    "title" TEXT NOT NULL,

    CONSTRAINT "CampaignDate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Commemoration" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "campaignId" INTEGER,
    "month" INTEGER NOT NULL,
    "day" INTEGER NOT NULL,
    "baseYear" INTEGER,
    "wholeMonth" BOOLEAN NOT NULL DEFAULT false,
    "titleVi" TEXT NOT NULL,
    "titleEn" TEXT NOT NULL,

    CONSTRAINT "Commemoration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ThemeRegistration" (
    "id" SERIAL NOT NULL,
    "unitId" INTEGER NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "status" "SubmissionStatus" NOT NULL DEFAULT 'DRAFT',
    "submittedAt" TIMESTAMP(3),
    "submittedById" INTEGER,
    "decidedAt" TIMESTAMP(3),
    "returnReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ThemeRegistration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Theme" (
    "id" SERIAL NOT NULL,
    "registrationId" INTEGER NOT NULL,
    "contentAreaId" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removedAt" TIMESTAMP(3),

    CONSTRAINT "Theme_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PhaseReport" (
    "id" SERIAL NOT NULL,
    "unitId" INTEGER NOT NULL,
    "phaseId" INTEGER NOT NULL,
    "status" "SubmissionStatus" NOT NULL DEFAULT 'SUBMITTED',
    "narrative" TEXT NOT NULL,
    "late" BOOLEAN NOT NULL DEFAULT false,
    "submittedAt" TIMESTAMP(3) NOT NULL,
    "submittedById" INTEGER,
    "decidedAt" TIMESTAMP(3),
    "returnReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PhaseReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReportFigure" (
    "reportId" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "value" BIGINT NOT NULL,

    CONSTRAINT "ReportFigure_pkey" PRIMARY KEY ("reportId","key")
);

-- CreateTable
CREATE TABLE "CommendationForm" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "nameVi" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "grantorLevel" "UnitLevel",
    "forPerson" BOOLEAN NOT NULL,
    "forCollective" BOOLEAN NOT NULL,
    "ordinal" INTEGER NOT NULL,

    CONSTRAINT "CommendationForm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Nomination" (
    "id" SERIAL NOT NULL,
    "unitId" INTEGER NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "phaseId" INTEGER,
    "nomineeKind" "NomineeKind" NOT NULL,
    "nomineeName" TEXT NOT NULL,
    "achievement" TEXT NOT NULL,
    "directWorker" BOOLEAN NOT NULL,
    "formId" INTEGER NOT NULL,
    "status" "SubmissionStatus" NOT NULL DEFAULT 'SUBMITTED',
    "submittedById" INTEGER,
    "submittedAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),
    "returnReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Nomination_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PlaqueWork" (
    "id" SERIAL NOT NULL,
    "unitId" INTEGER NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "completionOn" DATE,
    "status" "WorkStatus" NOT NULL DEFAULT 'REGISTERED',
    "submittedById" INTEGER,
    "submittedAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),
    "returnReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PlaqueWork_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReviewDecision" (
    "id" SERIAL NOT NULL,
    "subjectType" "SubjectType" NOT NULL,
    "subjectId" INTEGER NOT NULL,
    "decision" "Decision" NOT NULL,
    "reason" TEXT,
    "reviewerId" INTEGER NOT NULL,
    "reviewerUnitId" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReviewDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" INTEGER,
    "actorTag" TEXT,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "unitId" INTEGER,
    "data" JSONB,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Consent" (
    "id" SERIAL NOT NULL,
    "personId" INTEGER NOT NULL,
    "purpose" TEXT NOT NULL,
    "noticeVersion" TEXT NOT NULL,
    "givenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "chatKey" TEXT NOT NULL,
    "withdrawnAt" TIMESTAMP(3),

    CONSTRAINT "Consent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DataRequest" (
    "id" SERIAL NOT NULL,
    "personId" INTEGER NOT NULL,
    "kind" "DataRequestKind" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "DataRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DialogState" (
    "key" TEXT NOT NULL,
    "personId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "token" TEXT NOT NULL,
    "choices" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DialogState_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "ProcessedUpdate" (
    "key" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "replies" JSONB,

    CONSTRAINT "ProcessedUpdate_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "chatKey" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3),
    "broadcastId" INTEGER,
    "text" TEXT NOT NULL,
    "choices" JSONB,
    "fileId" TEXT,
    "fileName" TEXT,
    "status" "OutboxStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "notBefore" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedAt" TIMESTAMP(3),
    "claimedBy" TEXT,
    "sentAt" TIMESTAMP(3),
    "platformMessageId" TEXT,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Broadcast" (
    "id" SERIAL NOT NULL,
    "unitId" INTEGER NOT NULL,
    "createdById" INTEGER,
    "chatKey" TEXT NOT NULL,
    "total" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "Broadcast_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScheduledRun" (
    "key" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "messages" INTEGER NOT NULL,

    CONSTRAINT "ScheduledRun_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "RateBucket" (
    "key" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "pausedUntil" TIMESTAMP(3),

    CONSTRAINT "RateBucket_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "InboundEvent" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "chatKey" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "handledAt" TIMESTAMP(3),

    CONSTRAINT "InboundEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SandboxMessage" (
    "seq" BIGSERIAL NOT NULL,
    "chatKey" TEXT NOT NULL,
    "fromBot" BOOLEAN NOT NULL,
    "userName" TEXT,
    "text" TEXT NOT NULL,
    "choices" JSONB,
    "fileId" TEXT,
    "fileName" TEXT,
    "handled" BOOLEAN NOT NULL DEFAULT true,
    "inbound" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SandboxMessage_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "StoredFile" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "mime" TEXT NOT NULL,
    "base64" TEXT NOT NULL,
    "ownerId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StoredFile_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Unit_code_key" ON "Unit"("code");

-- CreateIndex
CREATE INDEX "Unit_parentId_idx" ON "Unit"("parentId");

-- CreateIndex
CREATE INDEX "Unit_path_idx" ON "Unit"("path" text_pattern_ops);

-- CreateIndex
CREATE INDEX "UnitParentHistory_unitId_idx" ON "UnitParentHistory"("unitId");

-- CreateIndex
CREATE UNIQUE INDEX "Identity_key_key" ON "Identity"("key");

-- CreateIndex
CREATE INDEX "Identity_personId_idx" ON "Identity"("personId");

-- CreateIndex
CREATE INDEX "Role_personId_idx" ON "Role"("personId");

-- CreateIndex
CREATE INDEX "Role_unitId_idx" ON "Role"("unitId");

-- CreateIndex
CREATE UNIQUE INDEX "InviteCode_codeHash_key" ON "InviteCode"("codeHash");

-- CreateIndex
CREATE INDEX "InviteCode_unitId_idx" ON "InviteCode"("unitId");

-- CreateIndex
CREATE INDEX "CodeAttempt_identityKey_at_idx" ON "CodeAttempt"("identityKey", "at");

-- CreateIndex
CREATE UNIQUE INDEX "Chat_key_key" ON "Chat"("key");

-- CreateIndex
CREATE INDEX "Chat_unitId_idx" ON "Chat"("unitId");

-- CreateIndex
CREATE INDEX "Chat_personId_idx" ON "Chat"("personId");

-- CreateIndex
CREATE UNIQUE INDEX "Campaign_issuingUnitId_year_number_key" ON "Campaign"("issuingUnitId", "year", "number");

-- CreateIndex
CREATE UNIQUE INDEX "ContentArea_campaignId_ordinal_key" ON "ContentArea"("campaignId", "ordinal");

-- CreateIndex
CREATE UNIQUE INDEX "Phase_campaignId_ordinal_key" ON "Phase"("campaignId", "ordinal");

-- CreateIndex
CREATE INDEX "CampaignDate_campaignId_date_idx" ON "CampaignDate"("campaignId", "date");

-- CreateIndex
CREATE UNIQUE INDEX "Commemoration_key_campaignId_key" ON "Commemoration"("key", "campaignId");

-- CreateIndex
CREATE INDEX "ThemeRegistration_campaignId_status_idx" ON "ThemeRegistration"("campaignId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "ThemeRegistration_unitId_campaignId_key" ON "ThemeRegistration"("unitId", "campaignId");

-- CreateIndex
CREATE INDEX "Theme_registrationId_idx" ON "Theme"("registrationId");

-- CreateIndex
CREATE INDEX "PhaseReport_phaseId_status_idx" ON "PhaseReport"("phaseId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "PhaseReport_unitId_phaseId_key" ON "PhaseReport"("unitId", "phaseId");

-- CreateIndex
CREATE UNIQUE INDEX "CommendationForm_code_key" ON "CommendationForm"("code");

-- CreateIndex
CREATE INDEX "Nomination_unitId_idx" ON "Nomination"("unitId");

-- CreateIndex
CREATE INDEX "Nomination_campaignId_status_idx" ON "Nomination"("campaignId", "status");

-- CreateIndex
CREATE INDEX "PlaqueWork_unitId_idx" ON "PlaqueWork"("unitId");

-- CreateIndex
CREATE INDEX "PlaqueWork_campaignId_status_idx" ON "PlaqueWork"("campaignId", "status");

-- CreateIndex
CREATE INDEX "ReviewDecision_subjectType_subjectId_idx" ON "ReviewDecision"("subjectType", "subjectId");

-- CreateIndex
CREATE INDEX "AuditEvent_entity_entityId_idx" ON "AuditEvent"("entity", "entityId");

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_idx" ON "AuditEvent"("actorId");

-- CreateIndex
CREATE INDEX "Consent_personId_idx" ON "Consent"("personId");

-- CreateIndex
CREATE INDEX "ProcessedUpdate_at_idx" ON "ProcessedUpdate"("at");

-- CreateIndex
CREATE UNIQUE INDEX "OutboxMessage_key_key" ON "OutboxMessage"("key");

-- CreateIndex
CREATE INDEX "OutboxMessage_status_platform_notBefore_idx" ON "OutboxMessage"("status", "platform", "notBefore");

-- CreateIndex
CREATE INDEX "OutboxMessage_broadcastId_status_idx" ON "OutboxMessage"("broadcastId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "InboundEvent_key_key" ON "InboundEvent"("key");

-- CreateIndex
CREATE INDEX "InboundEvent_handledAt_id_idx" ON "InboundEvent"("handledAt", "id");

-- CreateIndex
CREATE INDEX "SandboxMessage_chatKey_seq_idx" ON "SandboxMessage"("chatKey", "seq");

-- CreateIndex
CREATE INDEX "SandboxMessage_handled_idx" ON "SandboxMessage"("handled");

-- AddForeignKey
ALTER TABLE "Unit" ADD CONSTRAINT "Unit_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Unit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitParentHistory" ADD CONSTRAINT "UnitParentHistory_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitParentHistory" ADD CONSTRAINT "UnitParentHistory_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Unit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Identity" ADD CONSTRAINT "Identity_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Role" ADD CONSTRAINT "Role_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Role" ADD CONSTRAINT "Role_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InviteCode" ADD CONSTRAINT "InviteCode_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InviteRedemption" ADD CONSTRAINT "InviteRedemption_inviteId_fkey" FOREIGN KEY ("inviteId") REFERENCES "InviteCode"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Chat" ADD CONSTRAINT "Chat_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Chat" ADD CONSTRAINT "Chat_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Campaign" ADD CONSTRAINT "Campaign_issuingUnitId_fkey" FOREIGN KEY ("issuingUnitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ContentArea" ADD CONSTRAINT "ContentArea_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Phase" ADD CONSTRAINT "Phase_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CampaignDate" ADD CONSTRAINT "CampaignDate_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Commemoration" ADD CONSTRAINT "Commemoration_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ThemeRegistration" ADD CONSTRAINT "ThemeRegistration_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ThemeRegistration" ADD CONSTRAINT "ThemeRegistration_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Theme" ADD CONSTRAINT "Theme_registrationId_fkey" FOREIGN KEY ("registrationId") REFERENCES "ThemeRegistration"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Theme" ADD CONSTRAINT "Theme_contentAreaId_fkey" FOREIGN KEY ("contentAreaId") REFERENCES "ContentArea"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PhaseReport" ADD CONSTRAINT "PhaseReport_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PhaseReport" ADD CONSTRAINT "PhaseReport_phaseId_fkey" FOREIGN KEY ("phaseId") REFERENCES "Phase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReportFigure" ADD CONSTRAINT "ReportFigure_reportId_fkey" FOREIGN KEY ("reportId") REFERENCES "PhaseReport"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Nomination" ADD CONSTRAINT "Nomination_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Nomination" ADD CONSTRAINT "Nomination_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Nomination" ADD CONSTRAINT "Nomination_phaseId_fkey" FOREIGN KEY ("phaseId") REFERENCES "Phase"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Nomination" ADD CONSTRAINT "Nomination_formId_fkey" FOREIGN KEY ("formId") REFERENCES "CommendationForm"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PlaqueWork" ADD CONSTRAINT "PlaqueWork_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PlaqueWork" ADD CONSTRAINT "PlaqueWork_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DataRequest" ADD CONSTRAINT "DataRequest_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-written (Prisma's schema language has no partial indexes): at most one active
-- role per person, unit and kind; revoked rows stay as history.
CREATE UNIQUE INDEX "Role_active_unique" ON "Role"("personId", "unitId", "kind") WHERE "revokedAt" IS NULL;
