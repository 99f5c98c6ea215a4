/**
 * The same small world for every door: a sector union, an upper-grassroots union with two
 * grassroots unions under it, the plan's campaign for 2026, four people with roles, and
 * the upper level's officers' group already linked. Built through the project's own use
 * cases (as the CLI would), on real units for platform doors and on demo units for the
 * sandbox door (whose made-up identities may only touch demo units).
 */
import type { App } from "../../src/app.js";
import type { Env } from "../../src/core/usecases/env.js";
import { importUnits } from "../../src/core/usecases/units.js";
import { createFromTemplate } from "../../src/core/usecases/campaigns.js";
import { grantRole } from "../../src/core/usecases/invites.js";
import { localDateOf } from "../../src/core/time.js";
import { loadTemplate } from "../../src/seed/load.js";

export interface Persona {
  id: string;
  name: string;
}

export interface Place {
  id: string;
  kind: "private" | "group";
  title?: string;
}

export const people = {
  an: { id: "an", name: "Nguyễn Văn An" }, // officer, grassroots Phân bón
  giang: { id: "giang", name: "Ngô Thị Giang" }, // officer, grassroots Pin Ắc quy
  cuong: { id: "cuong", name: "Lê Văn Cường" }, // officer, upper-grassroots Hóa chất
  binh: { id: "binh", name: "Trần Thị Bình" }, // officer, sector union
  khanh: { id: "khanh", name: "Phan Văn Khánh" }, // officer, Tổng Liên đoàn
  minh: { id: "minh", name: "Hoàng Văn Minh" }, // member-to-be of Phân bón
} satisfies Record<string, Persona>;

export const places = {
  dm: (p: Persona): Place => ({ id: `dm-${p.id}`, kind: "private" }),
  pbOfficers: { id: "pb-officers", kind: "group", title: "Cán bộ CĐCS Phân bón" } as Place,
  pbMembers: { id: "pb-members", kind: "group", title: "Đoàn viên CĐCS Phân bón" } as Place,
  hcOfficers: { id: "hc-officers", kind: "group", title: "Cán bộ CĐ Hóa chất" } as Place,
  cdctOfficers: { id: "cdct-officers", kind: "group", title: "Cán bộ CĐ Công Thương" } as Place,
};

export const UNITS = `code,name,level,parent_code
TLD,Tổng Liên đoàn Lao động Việt Nam,tong_lien_doan,
CDCT,Công đoàn Công Thương Việt Nam,nganh,TLD
HC,Công đoàn Tổng công ty Hóa chất Phương Bắc,cap_tren_co_so,CDCT
PB,Công đoàn Công ty CP Phân bón Sông Cầu,co_so,HC
PA,Công đoàn Công ty CP Pin Ắc quy Phương Nam,co_so,HC
`;

/** The identities and chats of a door, as the world needs to address them. */
export interface Addressing {
  demo: boolean;
  userKey(p: Persona): string;
  chatKey(place: Place, owner?: Persona): string;
}

export async function buildWorld(app: App, addr: Addressing, now: Date): Promise<void> {
  await app.store.transaction(async (tx) => {
    const env: Env = {
      tx,
      actor: { kind: "system", tag: "cli" },
      now,
      today: localDateOf(now, app.config.timeZone),
      translate: app.translator.translate,
      defaultLocale: app.config.defaultLocale,
      timeZone: app.config.timeZone,
      roles: async () => [],
    };
    const imported = await importUnits(env, UNITS, { demo: addr.demo });
    if (imported.problems.length) throw new Error(JSON.stringify(imported.problems));
    const unit = async (code: string) => (await tx.getUnitByCode(code))!;
    await createFromTemplate(env, loadTemplate("64-kh-cdct")!, 2026, await unit("CDCT"), "01/KH-CĐCT");
    const roles: [Persona, string][] = [
      [people.an, "PB"],
      [people.giang, "PA"],
      [people.cuong, "HC"],
      [people.binh, "CDCT"],
      [people.khanh, "TLD"],
    ];
    for (const [p, code] of roles) {
      const key = addr.userKey(p);
      const person =
        (await tx.findPersonByIdentity(key)) ??
        (await tx.createPerson({ displayName: p.name, sandbox: addr.demo, locale: null, identityKey: key, platform: key.slice(0, key.indexOf(":")) }));
      await grantRole(env, person, await unit(code), "OFFICER");
    }
    const hc = await tx.upsertChat({ key: addr.chatKey(places.hcOfficers), platform: addr.chatKey(places.hcOfficers).split(":")[0]!, kind: "group", title: places.hcOfficers.title!, personId: null });
    const cuong = (await tx.findPersonByIdentity(addr.userKey(people.cuong)))!;
    await tx.linkChat(hc.id, (await unit("HC")).id, "OFFICERS", cuong.id, now);
    const cdct = await tx.upsertChat({ key: addr.chatKey(places.cdctOfficers), platform: addr.chatKey(places.cdctOfficers).split(":")[0]!, kind: "group", title: places.cdctOfficers.title!, personId: null });
    const binh = (await tx.findPersonByIdentity(addr.userKey(people.binh)))!;
    await tx.linkChat(cdct.id, (await unit("CDCT")).id, "OFFICERS", binh.id, now);
  });
}
