using Spectre.Console;
using SteelCI.Running;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// Progress of a run on the console: coloured lines and a live status line on a terminal, plain timestamped lines
/// when the output is redirected (CI logs).
/// </summary>
public sealed class ConsoleReporter(IAnsiConsole console, TimeProvider time) : IRunReporter
{
    private readonly Dictionary<string, string> _running = new();
    private readonly object _gate = new();

    /// <summary>Set by the live display so the status line can follow the run.</summary>
    public Action<string>? StatusChanged { get; set; }

    public bool Interactive => console.Profile.Capabilities.Interactive && Environment.GetEnvironmentVariable("CI") is null;

    public void Info(string message) => Line("grey", message);

    public void StageReused(string stage, string tag) => Line("green", $"{stage}: reused release {tag}");

    public void AttemptStarted(string stage, AttemptRecord attempt)
    {
        var resume = attempt.ResumedFrom is null ? "" : $", resuming from {attempt.ResumedFrom}";
        Line("blue", $"{stage}: started attempt {attempt.Number} ({attempt.Slug}{resume})");
        lock (_gate)
            _running[stage] = attempt.Slug;
        UpdateStatus();
    }

    public void AttemptFinished(string stage, AttemptRecord attempt, string outcome)
    {
        var took = attempt.EndedUtc - attempt.StartedUtc;
        var colour = outcome == "complete" || outcome.StartsWith("partial") ? "green" : "red";
        var error = attempt.Error is null ? "" : $": {attempt.Error}";
        Line(colour, $"{stage}: attempt {attempt.Number} {outcome} after {took:hh\\:mm\\:ss}{error}");
        lock (_gate)
            _running.Remove(stage);
        UpdateStatus();
    }

    public void StageFinished(string stage, StageState state) =>
        Line("green", $"{stage}: published {state.Release}");

    private void UpdateStatus()
    {
        string text;
        lock (_gate)
            text = _running.Count == 0 ? "waiting" : $"running: {string.Join(", ", _running.Keys)}";
        StatusChanged?.Invoke(text);
    }

    private void Line(string colour, string message)
    {
        var stamp = time.GetLocalNow().ToString("HH:mm:ss");
        if (Interactive)
            console.MarkupLine($"[grey]{stamp}[/] [{colour}]{Markup.Escape(message)}[/]");
        else
            console.WriteLine($"{stamp} {message}");
    }
}
