import type { Backend } from "../support/database.js";
import type { Door } from "./door.js";
import { DOORS, sandboxDoor, zaloDoor, type DoorName } from "./doors.js";

export { DOORS };

export async function openDoor(name: DoorName, backend: Backend): Promise<Door> {
  switch (name) {
    case "sandbox":
      return sandboxDoor(backend);
    case "zalo-polling":
      return zaloDoor(backend, "polling");
    case "zalo-webhook":
      return zaloDoor(backend, "webhook");
    default:
      throw new Error(`door ${name} is not built yet`);
  }
}
