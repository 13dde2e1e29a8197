import type { Handover, SignalRecord } from '../../signal.ts';
import { HANDOVER_MOVES } from '../../workflow/moves.ts';
import { issuePartnerToken } from '../../workflow/partner-link.ts';
import { changeSignal, type Draft, refuse, type StepResult, type WorkflowDeps } from './change.ts';

/**
 * The officer's hold on a running handover: revoke its link (every earlier
 * link stops working at once), or close it as "no response" when chasing
 * ended without an answer — an explicit outcome, never a silent expiry.
 */

type Input = { signalId: string; handoverId: string; actor: string };

/**
 * A new link for a handover: bumps the version (so older links stop) and
 * sets a new expiry. Pure; the reminder job can use it inside its own write
 * when it needs a fresh link for an expired one.
 */
export function freshLink(
  deps: Pick<WorkflowDeps, 'config' | 'linkSigner'>,
  signal: Pick<SignalRecord, 'id'>,
  handover: Handover,
  at: string,
): { handover: Handover; token: string; link: string } {
  const version = handover.tokenVersion + 1;
  const expiresAt = new Date(Date.parse(at) + deps.config.workflow.partnerLinkDays * 86_400_000);
  const token = issuePartnerToken(deps.linkSigner, {
    signalId: signal.id,
    handoverId: handover.id,
    version,
    expiresAt,
  });
  return {
    handover: { ...handover, tokenVersion: version, tokenExpiresAt: expiresAt.toISOString() },
    token,
    link: `${deps.config.baseUrl}/partner/${token}`,
  };
}

function update(
  deps: Pick<WorkflowDeps, 'config'>,
  s: SignalRecord,
  input: Input,
  change: (h: Handover) => Handover | string,
  event: { type: string },
  at: string,
): Draft<undefined> {
  const h = s.handovers?.find((x) => x.id === input.handoverId);
  if (!h) return refuse('Deze overdracht bestaat niet.');
  const changed = change(h);
  if (typeof changed === 'string') return refuse(changed);
  const partner = deps.config.partners.find((p) => p.id === h.partnerId)?.name ?? h.partnerId;
  return {
    ok: true,
    value: undefined,
    next: {
      ...s,
      handovers: (s.handovers ?? []).map((x) => (x.id === h.id ? changed : x)),
      events: [...s.events, { at, actor: input.actor, type: event.type, detail: partner }],
    },
  };
}

export async function revokePartnerLink(deps: WorkflowDeps, input: Input): Promise<StepResult> {
  return changeSignal(deps, input.signalId, async (s, at) =>
    update(
      deps,
      s,
      input,
      (h) => {
        if (h.state === 'withdrawn') return 'Deze overdracht is al ingetrokken.';
        const fresh = freshLink(deps, s, h, at).handover;
        // Revoked means no link works until the officer sends a new one: expiry now.
        return {
          ...fresh,
          tokenExpiresAt: at,
          history: [...h.history, { at, actor: input.actor, type: 'link_revoked' }],
        };
      },
      { type: 'link_revoked' },
      at,
    ),
  );
}

export async function closeNoResponse(deps: WorkflowDeps, input: Input): Promise<StepResult> {
  return changeSignal(deps, input.signalId, async (s, at) =>
    update(
      deps,
      s,
      input,
      (h) =>
        HANDOVER_MOVES.no_response.includes(h.state)
          ? {
              ...h,
              state: 'no_response',
              history: [...h.history, { at, actor: input.actor, type: 'no_response' }],
            }
          : 'Alleen een overdracht die nog op terugkoppeling wacht, kan zonder reactie worden afgesloten.',
      { type: 'handover_no_response' },
      at,
    ),
  );
}
