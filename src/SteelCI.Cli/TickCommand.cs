using System.CommandLine;
using Spectre.Console;
using SteelCI.Kaggle.Backend;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Running;
using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Ticking;
using SteelCI.Contracts;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci tick</c>: one reconcile step of the pipeline (<see cref="PipelineRunner.TickAsync"/>): poll running
/// attempts, collect, verify and publish finished ones, stop attempts past their deadline (watchdog), start ready
/// work, persist, and return without waiting. Run it every 5–30 minutes (the scheduled workflow, `dotnet cake
/// --target=Advance`); it is safe to skip, kill or run twice. On the kaggle backend the scheduler places each GPU
/// stage's chunk on an account (quota, reserve, two sessions per account); locally every ready stage starts.
/// A failed stage is not retried by later ticks (`steelci run` retries it).
/// Exit codes: 0 progress made or the pipeline is done (or waiting for quota), 1 a stage failed or is blocked,
/// 2 the pipeline file or arguments are wrong, 4 another tick holds the pipeline's lock (nothing was done).
/// </summary>
public static class TickCommand
{
    /// <summary>Hours of each account's GPU quota SteelCI never plans into (the owner's), e.g. STEELCI_KAGGLE_RESERVE_HOURS=4.</summary>
    public const string ReserveVariable = "STEELCI_KAGGLE_RESERVE_HOURS";

    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var profile = CommonOptions.Profile();
        var data = CommonOptions.Data();
        var slots = new Option<int?>("--slots") { Description = "Local backend: stages that may run at once (default: one per core)" }.Positive();
        var store = new Option<string?>("--store") { Description = "local or github (default: the pipeline file's store); github keeps the state on GitHub too" };
        var kaggle = new KaggleRunOptions();
        var command = new Command("tick", "One idempotent reconcile step: poll, publish, place ready work, persist; never waits")
        {
            pipeline, workspace, profile, data, slots, store,
        };
        kaggle.AddTo(command);
        command.SetAction((result, cancellationToken) => TickAsync(result.GetValue(pipeline)!, result.GetValue(workspace),
            result.GetValue(profile), result.GetValue(data) ?? [], result.GetValue(slots), result.GetValue(store), kaggle.Read(result), services,
            cancellationToken));
        return command;
    }

    private static async Task<int> TickAsync(string specPath, string? workspaceRoot, string? profile, string[] data, int? slots,
        string? storeName, KaggleRunOptions.Values backendOptions, CliServices services, CancellationToken cancellationToken)
    {
        var pipeline = backendOptions.Apply(PipelineLoading.Load(specPath, profile, data, backend: backendOptions.Backend));
        if (storeName is not null)
            pipeline = pipeline with { Store = storeName };

        var workspace = Workspace.For(specPath, workspaceRoot);
        using var composition = await services.RunnerAsync(pipeline, workspace, slots, backendOptions, TimeSpan.Zero,
            backend => Scheduler(backend, pipeline.SessionMinutes, services.Time), cancellationToken);
        var (console, reporter, runner, time) = (composition.Console, composition.Reporter, composition.Runner, composition.Time);

        RunSummary summary;
        try
        {
            summary = await runner.TickAsync(pipeline, new RunRequest(RetryFailed: false), cancellationToken);
        }
        catch (RunLockedException error)
        {
            console.WriteLine($"tick: {error.Message}; nothing done");
            return ExitCodes.Busy;
        }
        catch (StateLockedException error) // the GitHub state's lease is held, or another tick saved first
        {
            console.WriteLine($"tick: {error.Message}");
            return ExitCodes.Busy;
        }
        SummaryTable.Write(console, summary, composition.StoreLocation, reporter.Interactive);
        var running = summary.Stages.Count(s => s.Status == State.StageStatus.Running);
        var broken = summary.Stages.Count(s => s.Status is State.StageStatus.Failed or State.StageStatus.Blocked);
        var done = summary.Stages.Count(s => s.Status is State.StageStatus.Complete or State.StageStatus.Reused);
        console.WriteLine($"tick: {done}/{summary.Stages.Count} done, {running} running, {broken} failed or blocked" +
            (summary.WatchdogStops > 0 ? $"; watchdog stopped {summary.WatchdogStops} attempt(s), {summary.LostWork.TotalHours:0.#} h of session time lost" : ""));
        await JobSummary.AppendAfterStepAsync(pipeline, summary, workspace, time, cancellationToken);
        KeepAlive.Warn(console, specPath, time);
        return Infrastructure.ExitCode(summary, null, requireSuccess: false);
    }

    /// <summary>The scheduler over the Kaggle accounts: their quota as Kaggle reports it, the same reserve for each.</summary>
    private static ScheduledPlacementPolicy Scheduler(KaggleBackend backend, double sessionMinutes, TimeProvider time)
    {
        var reserve = double.TryParse(Environment.GetEnvironmentVariable(ReserveVariable), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var hours) ? TimeSpan.FromHours(hours) : TimeSpan.Zero;
        var accounts = backend.Accounts.Select(a => new AccountSettings(a, reserve)).ToList();
        var options = new SchedulerOptions { SessionLimit = TimeSpan.FromMinutes(Math.Min(sessionMinutes, PlatformRules.SessionLimitMinutes)) };
        return new ScheduledPlacementPolicy(new AccountPool(accounts, new KaggleQuotaSource(backend, time)), new Placer(options));
    }

    /// <summary>GetAcceleratorQuotaStatistics' GPU quota as the scheduler's <see cref="QuotaSnapshot"/>.</summary>
    private sealed class KaggleQuotaSource(KaggleBackend backend, TimeProvider time) : IQuotaSource
    {
        public async Task<QuotaSnapshot> ReadAsync(string account, CancellationToken cancellationToken)
        {
            var statistics = await backend.QuotaAsync(account, cancellationToken);
            var gpu = statistics.GpuQuota;
            return new QuotaSnapshot(gpu?.TotalTimeAllowed ?? TimeSpan.Zero, gpu?.TimeUsed ?? TimeSpan.Zero,
                gpu?.TimeReserved ?? TimeSpan.Zero, statistics.QuotaRefreshTime ?? PlatformRules.NextQuotaRefresh(time.GetUtcNow()));
        }
    }
}
