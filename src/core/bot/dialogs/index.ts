import type { AnyDialog } from "../dialog.js";
import { announceDialog } from "./announce.js";
import { consentDialog } from "./consent.js";
import { exportDialog } from "./export.js";
import { inviteDialog } from "./invite.js";
import { languageDialog } from "./language.js";
import { mydataDialog } from "./mydata.js";
import { nominateDialog } from "./nominate.js";
import { pickDialog } from "./pick.js";
import { planDialog } from "./plan.js";
import { recordsDialog } from "./records.js";
import { reportDialog } from "./report.js";
import { reviewDialog } from "./review.js";
import { themesDialog } from "./themes.js";
import { unsubscribeDialog } from "./unsubscribe.js";
import { settingsDialog } from "./settings.js";
import { unlinkDialog } from "./unlink.js";
import { worksDialog } from "./works.js";

export const allDialogs: AnyDialog[] = [
  consentDialog,
  pickDialog,
  languageDialog,
  themesDialog,
  reportDialog,
  nominateDialog,
  worksDialog,
  reviewDialog,
  recordsDialog,
  announceDialog,
  planDialog,
  inviteDialog,
  mydataDialog,
  unsubscribeDialog,
  settingsDialog,
  exportDialog,
  unlinkDialog,
];
