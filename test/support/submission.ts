import type { SignalSubmission } from '#core/signal.ts';

/** A complete signal whose every personal field carries `marker`, so tests can hunt for leaks. */
export function markedSubmission(
  marker: string,
  overrides: Partial<SignalSubmission> = {},
): SignalSubmission {
  return {
    reporter: {
      name: `Melder ${marker}`,
      email: `melder.${marker.toLowerCase()}@montfoort.example`,
      phone: '0612345678',
      team: 'Wmo',
      external: false,
      discussedWithCoordinator: true,
      coordinatorName: `Coordinator ${marker}`,
    },
    content: {
      persons: [
        {
          name: `Persoon ${marker}`,
          role: 'victim',
          ageOrBirthDate: '17',
          address: `Hoofdstraat 1 ${marker}`,
          phone: '0687654321',
          email: `p.${marker.toLowerCase()}@example.org`,
          notes: `Notitie ${marker}`,
        },
      ],
      organisations: [
        { name: `Uitzendbureau ${marker}`, kvk: '12345678', address: 'Industrieweg 2' },
      ],
      location: `Locatie ${marker}`,
      observed: `Waargenomen ${marker}: woont op de werkplek.`,
    },
    classification: {
      exploitationForm: 'labour',
      urgency: 'normal',
      indicators: ['lives_at_work', 'no_passport'],
      vulnerabilities: ['poverty'],
      sourceTeam: 'Wmo',
    },
    ...overrides,
  };
}
