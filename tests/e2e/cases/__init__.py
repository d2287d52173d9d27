"""Per-feature TypeScript-client error cases: each module here defines `CASES: dict[str, list[Case]]`
(tool name -> its error calls), merged into ts_cases.ERROR_CASES. A feature adds its own module instead
of editing one shared dict."""
