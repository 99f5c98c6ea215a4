import type { Backend } from "../support/database.js";
import type { Door } from "./door.js";
import { DOORS, sandboxDoor, telegramDoor, zaloDoor, type DoorName } from "./doors.js";

export { DOORS };

export async function openDoor(name: DoorName, backend: Backend): Promise<Door> {
  switch (name) {
    case "sandbox":
      return sandboxDoor(backend);
    case "telegram-polling":
      return telegramDoor(backend, "polling");
    case "telegram-webhook":
      return telegramDoor(backend, "webhook");
    case "zalo-polling":
      return zaloDoor(backend, "polling");
    case "zalo-webhook":
      return zaloDoor(backend, "webhook");
  }
}
