// A short typed use of the client types generated from the CRS OpenAPI document: if the document
// changes shape in a way a client would notice (a field renamed, a body lost), this stops compiling.
import type { components, paths } from "./generated/crs";

type Session = components["schemas"]["ReferralSessionRequest"];
type Problem = components["schemas"]["Problem"];
type CreateReferral =
  paths["/api/v1/referrals"]["post"]["requestBody"]["content"]["application/json"];

export const session: Session = {
  session_number: 1,
  starts_at: "2026-03-10T14:00:00Z",
  duration_minutes: 60,
  method: "IN_PERSON",
  address: "1 Test Street, Testtown",
};

export const draft: CreateReferral = { contract_id: "01938c2e-7a3b-7cc0-9d1e-2f3a4b5c6d7e", crn: "X123456" };

export function fieldsOf(p: Problem): string[] {
  return (p.errors ?? []).map((e) => `${e.field}: ${e.code}`);
}
