// Instrumentation edits for go: not written yet; every request is refused as unsupported.
import type { EditOutcome, LanguageInstrumenter } from './instrumentTypes';

const NOT_YET: EditOutcome = { ok: false, code: 'unsupported', reason: 'Not available for this language yet.' };

export const goInstrumenter: LanguageInstrumenter = {
  languages: ['go'],
  functionAt: () => undefined,
  traceFunction: () => NOT_YET,
  addAnnotation: () => NOT_YET,
  annotationKeysIn: () => [],
};
