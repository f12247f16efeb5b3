export { accountSummaryForSupport, diagnosticsFileName, exportDiagnostics, GpuReportSchema, type DiagnosticsResult, type DiagnosticsSources, type GpuReport, type SectionStatus, type VersionInfo } from './export';
export { scrubbedJson, scrubValue } from './scrub';
