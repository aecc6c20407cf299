using System.CommandLine;
using Spectre.Console;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci status</c>: every stage and its attempts as the state records them (no lock taken): where each attempt
/// runs (backend/account), its state, elapsed time and expected finish (from <c>budget.minutes_per_epoch</c> and the
/// epochs left), and with the kaggle backend the GPU quota left per account. <c>--json</c> prints the same for
/// machines. In GitHub Actions the table is also appended to the job summary.
/// </summary>
public static class StatusCommand
{
    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var profile = CommonOptions.Profile();
        var json = new Option<bool>("--json") { Description = "Print the status as JSON (stages, attempts, accounts)" };
        var store = new Option<string?>("--store") { Description = "local or github: where the state is kept (default: the pipeline file's store)" };
        var silence = new Option<double>("--silence-minutes") { Description = "Kaggle: flag a running attempt whose live log has been silent longer than this", DefaultValueFactory = _ => KaggleLiveReport.DefaultSilence.TotalMinutes }.Positive();
        var kaggle = new KaggleRunOptions();
        var command = new Command("status", "Show every stage and attempt: where, state, elapsed, expected finish, epoch reached (Kaggle's live log), quota left per account")
        {
            pipeline, workspace, profile, json, store, silence,
        };
        kaggle.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(pipeline)!, result.GetValue(workspace),
            result.GetValue(profile), result.GetValue(json), kaggle.Read(result), services, cancellationToken, result.GetValue(store),
            TimeSpan.FromMinutes(result.GetValue(silence))));
        return command;
    }

    public static async Task<int> RunAsync(string specPath, string? workspaceRoot, string? profile, bool json,
        KaggleRunOptions.Values backend, CliServices services, CancellationToken cancellationToken, string? store = null, TimeSpan? silenceLimit = null)
    {
        var (console, time) = (services.Console, services.Time);
        using var context = services.Operate(specPath, workspaceRoot, profile, backend, strict: store is not null, store);
        var state = await context.LoadStateAsync(cancellationToken);
        if (state is null)
        {
            if (json)
                console.WriteLine("null");
            else
                console.WriteLine($"No run recorded in {context.Workspace.Root}. Start one with: steelci run {specPath}");
            return ExitCodes.Success;
        }
        IReadOnlyList<StatusReport.AccountRow> accounts = [];
        IReadOnlyDictionary<string, string>? live = null;
        if (context.Pipeline?.Backend == "kaggle")
        {
            using var wiring = services.Kaggle(backend, context.Workspace.Root, json ? services.ErrorConsole : console, context.Pipeline.Compute.Kaggle);
            accounts = await KaggleAccountReport.ReadAsync(wiring, state, cancellationToken);
            live = await KaggleLiveReport.ReadAsync(wiring, state, silenceLimit ?? KaggleLiveReport.DefaultSilence, time, cancellationToken);
        }
        var onCluster = state.Stages.Values.SelectMany(s => s.Attempts)
            .Where(a => a.IsActive && a.Backend == "slurm" && a.Handle?.ContainsKey("job") == true).ToList();
        var jobs = onCluster.Count > 0 && context.Pipeline?.Compute.Slurm is not null
            ? await SlurmJobStates.ReadAsync(services, context.Pipeline, onCluster, cancellationToken)
            : null;
        var report = StatusReport.Build(state, context.Pipeline, time.GetUtcNow(), accounts, live, jobs);
        if (json)
            console.Profile.Out.Writer.WriteLine(report.ToJson());
        else
        {
            if (context.PipelineProblem is not null)
                console.WriteLine($"note: {context.PipelineProblem} (showing the state without epochs and expected finish)");
            report.Write(OperateContext.Wide(console), console.Profile.Capabilities.Interactive);
            if (context.Pipeline is not null)
                foreach (var line in RekeyLines(context.Pipeline, state))
                    OperateContext.Wide(console).WriteLine(line);
        }
        JobSummary.Append(report.ToMarkdown());
        return ExitCodes.Success;
    }

    /// <summary>
    /// The trainer pin, and the finished stages whose key the pipeline file changed since (params, inputs, upstream),
    /// keyed with the pinned or last used bundle: status builds nothing, so trainer code changes are `plan`'s to show.
    /// </summary>
    private static IEnumerable<string> RekeyLines(Spec.Pipeline pipeline, State.RunState state)
    {
        var hash = state.TrainerPin ?? state.TrainerHash;
        if (hash is null)
            yield break;
        yield return state.TrainerPin is { } pin
            ? $"Trainer: pinned at {pin[..Math.Min(12, pin.Length)]} (`steelci unpin` builds it again)"
            : $"Trainer: unpinned, last bundle {hash[..Math.Min(12, hash.Length)]} (`steelci plan` checks code changes; `steelci pin` keeps this one)";
        if (pipeline.ExternalDatasets.Values.FirstOrDefault(d => d.Competition is null && !Directory.Exists(d.Path)) is { } missing)
        {
            yield return $"Would retrain: not checked, the data folder {missing.Path} ({missing.Name}) is not here";
            yield break;
        }
        foreach (var rekey in Running.Rekeying.Explain(pipeline, state, hash))
            yield return rekey.Line();
    }
}
