namespace SteelCI.Kaggle.Fake;

/// <summary>
/// Runs no process: a version is RUNNING for <see cref="RunTime"/> on the fake's clock, then calls the script, which
/// writes outputs and returns its log lines and whether it succeeded. The default script writes one file and succeeds.
/// <paramref name="liveLines"/> are written while it runs, each once its time since the start has passed (what the
/// live log stream shows); the script's lines follow them.
/// </summary>
public sealed class ScriptedKernelRunner(TimeProvider time, TimeSpan runTime, Func<FakeRunRequest, string, ScriptedResult>? script = null,
    IReadOnlyList<(TimeSpan At, string Line)>? liveLines = null)
    : IFakeKernelRunner
{
    public TimeSpan RunTime => runTime;

    public IFakeRun Start(FakeRunRequest request) => new Run(time, runTime, request, script ?? DefaultScript, liveLines ?? []);

    public static ScriptedResult DefaultScript(FakeRunRequest request, string output)
    {
        File.WriteAllText(Path.Combine(output, "result.txt"), $"{request.Owner}/{request.Slug} v{request.Version}\n");
        return new ScriptedResult(true, ["hello from the fake kernel"]);
    }

    private sealed class Run(TimeProvider time, TimeSpan runTime, FakeRunRequest request, Func<FakeRunRequest, string, ScriptedResult> script,
        IReadOnlyList<(TimeSpan At, string Line)> liveLines) : IFakeRun
    {
        private readonly DateTimeOffset _started = time.GetUtcNow();
        private ScriptedResult? _result;
        private bool _killed;

        public string OutputDirectory { get; } = Directory.CreateDirectory(Path.Combine(request.WorkDirectory, "working")).FullName;

        public FakeRunState Poll(out string? failureMessage)
        {
            failureMessage = null;
            if (_killed)
            {
                failureMessage = "killed";
                return FakeRunState.Error;
            }
            if (_result is null && time.GetUtcNow() - _started < runTime)
                return FakeRunState.Running;
            _result ??= script(request, OutputDirectory);
            failureMessage = _result.Success ? null : _result.FailureMessage ?? "the script failed";
            return _result.Success ? FakeRunState.Complete : FakeRunState.Error;
        }

        public IReadOnlyList<FakeLogEntry> Log()
        {
            var elapsed = _result is null ? time.GetUtcNow() - _started : TimeSpan.MaxValue;
            var live = liveLines.Where(l => l.At <= elapsed).Select(l => new FakeLogEntry("stdout", l.At.TotalSeconds, l.Line + "\n"));
            return live.Concat((_result?.Lines ?? []).Select((line, i) => new FakeLogEntry("stdout", i * 0.1, line + "\n"))).ToList();
        }

        public void Kill() => _killed = true;
    }
}

public sealed record ScriptedResult(bool Success, IReadOnlyList<string> Lines, string? FailureMessage = null);
