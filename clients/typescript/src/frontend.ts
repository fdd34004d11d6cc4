// A small frontend-style use of the Abroad API, written the way a frontend team
// would write it against the generated types: openapi-fetch over the `paths`
// that openapi-typescript generates from openapi/openapi.json (or the served
// /openapi.json). It follows README.md's "Applying, end to end": search the
// catalogue, find the open call, start an application, upload a transcript,
// submit, and read back the status and warnings — handling problem+json errors.
//
// Everything is typed from the generated file: no `any`, no casts. Values are
// written exactly as they travel on the wire (lowercase snake_case words), so
// this file only type-checks when the document describes the wire truthfully.

import createClient from "openapi-fetch";
import type { components, operations, paths } from "./generated/abroad";

type Schemas = components["schemas"];
export type Destination = Schemas["DestinationView"];
export type Call = Schemas["CallView"];
export type Application = Schemas["ApplicationView"];
export type Problem = Schemas["Problem"];
export type Violation = Schemas["Violation"];
export type TravelAdvice = Schemas["TravelAdvice"];

/** The catalogue filters, taken from the path the frontend calls. */
export type DestinationFilters = NonNullable<paths["/api/v1/destinations"]["get"]["parameters"]["query"]>;

/** The same operation by its operationId: the document must name it `searchDestinations`. */
export type SearchDestinations = operations["searchDestinations"];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Compile-time check that the operationId and the path describe one and the same operation. */
export type SearchDestinationsIsTheCatalogueSearch = Assert<
  Same<SearchDestinations, paths["/api/v1/destinations"]["get"]>
>;

/** Countries under this advice are safe to show without a banner. */
export const SAFE_ADVICE: TravelAdvice = "green";

export type AbroadClient = ReturnType<typeof createAbroadClient>;

/**
 * A client for the API at `baseUrl` (the origin, e.g. "http://127.0.0.1:8080";
 * the paths carry `/api/v1`), sending the caller's JWT as a bearer token.
 */
export function createAbroadClient(baseUrl: string, token: string) {
  return createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${token}` },
  });
}

/** An error answered as application/problem+json, kept whole for the UI. */
export class ApiProblem extends Error {
  readonly problem: Problem;
  readonly status: number;

  constructor(problem: Problem, status: number) {
    super(`${problem.title}: ${problem.detail}`);
    this.name = "ApiProblem";
    this.problem = problem;
    this.status = status;
  }

  /** Every violated rule (validation problems), empty otherwise. */
  get violations(): Violation[] {
    return this.problem.errors ?? [];
  }
}

/** What a form shows next to each field: the messages of a 422, by field path. */
export function messagesByField(violations: readonly Violation[]): Map<string, string[]> {
  const byField = new Map<string, string[]>();
  for (const v of violations) {
    const key = v.field === "" ? "(form)" : v.field;
    byField.set(key, [...(byField.get(key) ?? []), `${v.message} [${v.code}]`]);
  }
  return byField;
}

/** The colour of the travel-advice badge on a destination card. */
export function adviceColour(advice: TravelAdvice): string {
  switch (advice) {
    case "green":
      return "#2e7d32";
    case "yellow":
      return "#f9a825";
    case "orange":
      return "#ef6c00";
    case "red":
      return "#c62828";
    default: {
      const unknown: never = advice;
      return unknown;
    }
  }
}

/** One line on a destination card. */
export function describeDestination(d: Destination): string {
  const levels = d.offerings.map((o) => o.level).join("/");
  const banner = d.advice === SAFE_ADVICE ? "" : ` — travel advice ${d.advice}`;
  return `${d.institution.name}, ${d.country_name} (${levels}; chance ${d.chance})${banner}`;
}

/** Searches the catalogue ("world map"); filters combine. */
export async function searchDestinations(
  client: AbroadClient,
  filters: DestinationFilters,
): Promise<Destination[]> {
  const { data, error, response } = await client.GET("/api/v1/destinations", {
    params: { query: filters },
  });
  if (error) throw new ApiProblem(error, response.status);
  return data.items;
}

/** The call students can apply to now, if any. */
export async function findOpenCall(client: AbroadClient): Promise<Call | undefined> {
  const { data, error, response } = await client.GET("/api/v1/calls", {
    params: { query: { status: "open" } },
  });
  if (error) throw new ApiProblem(error, response.status);
  return data.items[0];
}

/** The call's headline as the application page shows it. */
export function describeCall(call: Call): string {
  return `${call.name}: ${call.min_choices}–${call.max_choices} choices, deadline ${call.deadline_local}`;
}

/** Starts a draft application in `call`, choices in order of preference. */
export async function createApplication(
  client: AbroadClient,
  call: Call,
  destinations: readonly Destination[],
  motivation: string,
): Promise<Application> {
  const { data, error, response } = await client.POST("/api/v1/calls/{id}/applications", {
    params: { path: { id: call.id } },
    body: {
      semester: "autumn",
      plan_b: true,
      choices: destinations.map((d) => ({ destination_id: d.id, motivation })),
    },
  });
  if (error) throw new ApiProblem(error, response.status);
  return data;
}

/**
 * Uploads the transcript, a PDF the student picked (an <input type="file">'s File).
 * The document gives the body no JSON shape (it is the PDF's bytes), so the Blob
 * goes as it is, sent raw as application/pdf.
 */
export async function uploadTranscript(
  client: AbroadClient,
  application: Application,
  pdf: Blob,
): Promise<void> {
  const { error, response } = await client.PUT("/api/v1/applications/{id}/documents/{kind}", {
    params: { path: { id: application.id, kind: "transcript" } },
    body: pdf,
    bodySerializer: () => pdf,
    headers: { "Content-Type": "application/pdf" },
  });
  if (error) throw new ApiProblem(error, response.status);
}

/** Submits a draft. A 422 lists every broken rule at once in `errors`. */
export async function submitApplication(
  client: AbroadClient,
  application: Application,
): Promise<Application> {
  const { data, error, response } = await client.POST("/api/v1/applications/{id}/submit", {
    params: { path: { id: application.id } },
  });
  if (error) throw new ApiProblem(error, response.status);
  return data;
}

/** Reads an application back, with `eligibility` and `warnings`. */
export async function getApplication(client: AbroadClient, id: string): Promise<Application> {
  const { data, error, response } = await client.GET("/api/v1/applications/{id}", {
    params: { path: { id } },
  });
  if (error) throw new ApiProblem(error, response.status);
  return data;
}

export type ApplyOutcome =
  | { kind: "submitted"; application: Application; warnings: string[] }
  | { kind: "rejected"; application: Application; problem: Problem; fields: Map<string, string[]> }
  | { kind: "no-open-call" };

/**
 * The student's journey from README.md's "Applying, end to end": five
 * university-wide master destinations with a high chance in autumn, the open
 * call, a draft with a motivation per choice, the transcript, then submit.
 */
export async function applyEndToEnd(
  baseUrl: string,
  studentToken: string,
  motivation: string,
  transcript: Blob,
): Promise<ApplyOutcome> {
  const client = createAbroadClient(baseUrl, studentToken);

  const destinations = await searchDestinations(client, {
    exchange_type: "university_wide",
    level: "master",
    semester: "autumn",
    chance: "high",
    activity: "semester_exchange",
    limit: 5,
  });
  const call = await findOpenCall(client);
  if (call === undefined) return { kind: "no-open-call" };
  console.info(describeCall(call));
  for (const d of destinations) console.info(describeDestination(d), adviceColour(d.advice));

  const draft = await createApplication(client, call, destinations, motivation);
  await uploadTranscript(client, draft, transcript);

  try {
    const submitted = await submitApplication(client, draft);
    const current = await getApplication(client, submitted.id);
    if (current.status !== "submitted") {
      throw new Error(`expected a submitted application, got ${current.status}`);
    }
    return {
      kind: "submitted",
      application: current,
      warnings: current.warnings.map((w) => `${w.field}: ${w.message}`),
    };
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 422) {
      const current = await getApplication(client, draft.id);
      const stillDraft = current.status === "draft";
      console.warn(e.problem.detail, stillDraft ? "(still a draft)" : "");
      return {
        kind: "rejected",
        application: current,
        problem: e.problem,
        fields: messagesByField(e.violations),
      };
    }
    throw e;
  }
}
