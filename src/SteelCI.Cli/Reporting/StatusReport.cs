using System.Globalization;
using System.Text;
using Spectre.Console;
using SteelCI.Contracts;
using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// What <c>steelci status</c> shows, built once and rendered three ways (console table, JSON, Markdown for the job
/// summary): every stage and attempt with where it runs, its state, elapsed time and expected finish, and the quota
/// left per Kaggle account when a Kaggle backend is configured.
/// </summary>
public sealed record StatusReport(string Pipeline, string RunId, DateTimeOffset UpdatedUtc, DateTimeOffset NowUtc,
    IReadOnlyList<StatusReport.StageRow> Stages, IReadOnlyList<StatusReport.AccountRow> Accounts)
{
    /// <summary>A stage; <see cref="EstimateMinutesPerEpoch"/> is its configured budget, <see cref="MeasuredMinutesPerEpoch"/> what its collected sessions measured (null before one).</summary>
    public sealed record StageRow(string Name, string Status, int Epochs, int EpochsDone, string? Release, string? Error,
        IReadOnlyList<AttemptRow> Attempts, double? EstimateMinutesPerEpoch = null, double? MeasuredMinutesPerEpoch = null);

    public sealed record AttemptRow(int Number, string Slug, string Backend, string? Account, string State,
        DateTimeOffset StartedUtc, DateTimeOffset? EndedUtc, TimeSpan Elapsed, DateTimeOffset? ExpectedFinishUtc,
        DateTimeOffset? DeadlineUtc, string? ResumedFrom, string? Release, string? Error, string? Live = null, string? Job = null, string? JobState = null);

    /// <summary>One Kaggle account: GPU hours left (allowed − used − reserved), the reserve kept for the owner, sessions
    /// SteelCI has running there, when the quota refreshes; <see cref="Problem"/> when Kaggle could not be asked.</summary>
    public sealed record AccountRow(string Name, double? GpuHoursLeft, double? GpuHoursAllowed, double ReserveHours,
        int SessionsInUse, DateTimeOffset? RefreshUtc, string? Problem)
    {
        /// <summary>Sessions the account's owner was using when Kaggle last refused a push there (0: none seen since the last accepted push).</summary>
        public int OwnerSessions { get; init; }
        public DateTimeOffset? OwnerSeenUtc { get; init; }
        /// <summary>False: enabled: false in compute.kaggle.accounts; placement skips the account.</summary>
        public bool Enabled { get; init; } = true;
    }

    /// <summary>
    /// Rows from the recorded state, in the pipeline's order when it is known (<paramref name="pipeline"/> gives epochs
    /// and <c>budget.minutes_per_epoch</c> for the expected finish), else in the state's order.
    /// </summary>
    /// <paramref name="live"/>: per running attempt's slug, what its live log says (the epoch reached, a silence flag).
    /// <param name="jobStates">What the cluster says now of active Slurm attempts, by slug (e.g. "RUNNING", "PENDING, reason Resources").</param>
    public static StatusReport Build(RunState state, Pipeline? pipeline, DateTimeOffset now, IReadOnlyList<AccountRow>? accounts = null,
        IReadOnlyDictionary<string, string>? live = null, IReadOnlyDictionary<string, string>? jobStates = null)
    {
        var names = pipeline?.Nodes.Select(n => n.Name).Where(state.Stages.ContainsKey).ToList() ?? state.Stages.Keys.ToList();
        names.AddRange(state.Stages.Keys.Where(n => !names.Contains(n)));
        var rows = new List<StageRow>();
        var speeds = Scheduling.Estimates.MeasuredSpeeds.From(state, new Scheduling.Placement.SchedulerOptions().Startup);
        foreach (var name in names)
        {
            var stage = state.Stages[name];
            var node = pipeline?.Nodes.FirstOrDefault(n => n.Name == name);
            var done = stage.Status is StageStatus.Complete or StageStatus.Reused
                ? node?.Epochs ?? 0
                : stage.Attempts.Select(a => EpochsIn(state.Pipeline, a.Release)).DefaultIfEmpty(0).Max();
            var attempts = stage.Attempts.Select(a => Attempt(state.Pipeline, node, a, now) with
            {
                Live = live?.GetValueOrDefault(a.Slug),
                Job = a.Backend == "slurm" ? a.Handle?.GetValueOrDefault("job") : null,
                JobState = jobStates?.GetValueOrDefault(a.Slug),
            }).ToList();
            rows.Add(new StageRow(name, Lower(stage.Status), node?.Epochs ?? 0, done, stage.Release, stage.Error, attempts,
                node?.MinutesPerEpoch > 0 ? node.MinutesPerEpoch : null, speeds.Measured(name)?.TotalMinutes));
        }
        return new StatusReport(state.Pipeline, state.RunId, state.UpdatedUtc, now, rows, accounts ?? []);
    }

    private static AttemptRow Attempt(string pipeline, PipelineNode? node, AttemptRecord attempt, DateTimeOffset now)
    {
        var end = attempt.IsActive ? now : attempt.EndedUtc ?? attempt.StartedUtc;
        DateTimeOffset? expected = attempt.IsActive ? null : attempt.EndedUtc;
        if (attempt.IsActive && node is not null && node.MinutesPerEpoch > 0)
        {
            // Epochs this session should train: what the placement planned, else the rest of the stage from its checkpoint.
            var epochs = attempt.PlannedEpochs ?? Math.Max(1, node.Epochs - EpochsIn(pipeline, attempt.ResumedFrom));
            expected = attempt.StartedUtc + TimeSpan.FromMinutes(epochs * node.MinutesPerEpoch);
            if (attempt.DeadlineUtc is { } deadline && deadline < expected)
                expected = deadline; // the trainer checkpoints and exits by its session's end
        }
        return new AttemptRow(attempt.Number, attempt.Slug, attempt.Backend, attempt.Account, Lower(attempt.State), attempt.StartedUtc,
            attempt.EndedUtc, end - attempt.StartedUtc, expected, attempt.DeadlineUtc, attempt.ResumedFrom, attempt.Release, attempt.Error);
    }

    private static int EpochsIn(string pipeline, string? tag) =>
        tag is null ? 0 : ReleaseTag.TryParse(pipeline, tag)?.PartialEpochs ?? 0;

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    // ---- rendering ----

    public string Title => $"{Pipeline} · run {RunId} · updated {UpdatedUtc:u}";

    public static readonly string[] Columns = ["stage", "status", "attempt", "where", "state", "elapsed", "expected finish", "note"];

    /// <summary>One line per attempt (a stage without attempts gets one line of its own).</summary>
    public IEnumerable<string[]> Lines()
    {
        foreach (var stage in Stages)
        {
            var progress = (stage.Epochs > 0 ? $" {stage.EpochsDone}/{stage.Epochs} ep" : "") + Speed(stage);
            if (stage.Attempts.Count == 0)
            {
                yield return [stage.Name, stage.Status + progress, "", "", "", "", "", stage.Release ?? stage.Error ?? ""];
                continue;
            }
            for (var i = 0; i < stage.Attempts.Count; i++)
            {
                var a = stage.Attempts[i];
                var last = i == stage.Attempts.Count - 1;
                var note = a.Error ?? a.Release ?? a.Live ?? (last ? stage.Error ?? stage.Release : null) ?? "";
                yield return [i == 0 ? stage.Name : "", i == 0 ? stage.Status + progress : "", $"#{a.Number} {a.Slug}",
                    a.Account is null ? a.Job is null ? a.Backend : $"{a.Backend} job {a.Job}" : $"{a.Backend}/{a.Account}",
                    a.JobState is null ? a.State : $"{a.State} ({a.JobState})", Duration(a.Elapsed),
                    a.ExpectedFinishUtc is { } at ? (a.State is "queued" or "running" ? "~" : "") + at.ToString("u", CultureInfo.InvariantCulture) : "",
                    note];
            }
        }
    }

    /// <summary>" · 40 min/ep est., 44.2 measured" (estimate beside measure), or nothing without a configured budget.</summary>
    private static string Speed(StageRow stage) => stage.EstimateMinutesPerEpoch is not { } estimate ? ""
        : string.Create(CultureInfo.InvariantCulture, $" · {estimate:0.#} min/ep est., ") +
          (stage.MeasuredMinutesPerEpoch is { } measured ? string.Create(CultureInfo.InvariantCulture, $"{measured:0.#} measured") : "not measured");

    public IEnumerable<string> AccountLines() => Accounts.Select(a => (a.Problem is not null
        ? $"{a.Name}: {a.Problem}"
        : $"{a.Name}: {Hours(a.GpuHoursLeft)} h GPU left of {Hours(a.GpuHoursAllowed)} h (reserve {a.ReserveHours:0.#} h), " +
          $"{a.SessionsInUse} session(s) in use by SteelCI" + (a.RefreshUtc is { } r ? $", refreshes {r:u}" : ""))
        + (a.OwnerSessions > 0 ? $"; {a.OwnerSessions} session(s) the owner's (a push was refused at Kaggle's cap {a.OwnerSeenUtc:u}; retried later)" : "")
        + (a.Enabled ? "" : "; disabled (placement skips it)"));

    public void Write(IAnsiConsole console, bool interactive)
    {
        var table = new Table().Title(Markup.Escape(Title)).Border(interactive ? TableBorder.Rounded : TableBorder.Ascii);
        table.AddColumns(Columns);
        foreach (var line in Lines())
            table.AddRow(line.Select(Markup.Escape).ToArray());
        console.Write(table);
        if (Accounts.Count > 0)
        {
            console.WriteLine("Kaggle accounts:");
            foreach (var line in AccountLines())
                console.WriteLine("  " + line);
        }
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"### SteelCI: {Title}").AppendLine();
        text.AppendLine("| " + string.Join(" | ", Columns) + " |");
        text.AppendLine("|" + string.Concat(Columns.Select(_ => "---|")));
        foreach (var line in Lines())
            text.AppendLine("| " + string.Join(" | ", line.Select(Cell)) + " |");
        if (Accounts.Count > 0)
        {
            text.AppendLine().AppendLine("Kaggle accounts:").AppendLine();
            foreach (var line in AccountLines())
                text.AppendLine("- " + Cell(line));
        }
        return text.ToString();
    }

    public string ToJson() => Json.Serialize(this);

    private static string Cell(string value) => value.Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ");

    private static string Hours(double? hours) => hours?.ToString("0.#", CultureInfo.InvariantCulture) ?? "?";

    public static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? $"{(int)span.TotalHours}h{span.Minutes:00}m"
        : span.TotalMinutes >= 1 ? $"{span.Minutes}m{span.Seconds:00}s" : $"{Math.Max(0, span.Seconds)}s";
}
