using System.CommandLine;
using SteelCI.Local;
using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Charts;
using SteelCI.Scheduling.Estimates;
using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Reporting;
using SteelCI.Scheduling.Simulation;
using SteelCI.Scheduling.Ticking;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci plan</c>: the predicted schedule of the pipeline's remaining work on a team's Kaggle accounts (stage →
/// account → session chunks → start and finish), quota use per account and the predicted finish, plus a Gantt PNG.
/// The same scheduler code as the tick, run forward on fake time with every epoch taking its estimate.
/// </summary>
public static partial class PlanCommand
{
    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var profile = CommonOptions.Profile();
        var accounts = new Option<string[]>("--account") { Description = "An account to plan on (repeat); default: STEELCI_KAGGLE_ACCOUNTS, else one", AllowMultipleArgumentsPerToken = false };
        var quota = new Option<double>("--quota-hours") { Description = "GPU hours each account has per week", DefaultValueFactory = _ => 30 }.Positive();
        var used = new Option<double>("--used-hours") { Description = "GPU hours each account has already used this week", DefaultValueFactory = _ => 0 }.Positive(orZero: true);
        var reserve = new Option<double>("--reserve-hours") { Description = "Hours each owner keeps for themselves (never planned into)", DefaultValueFactory = _ => 0 }.Positive(orZero: true);
        var chart = new Option<string?>("--chart") { Description = "Where to write the Gantt PNG (default: <workspace>/plan.png, or actual.png)" };
        var actual = new Option<bool>("--actual") { Description = "Chart what actually ran (the recorded attempts) instead of a forecast" };
        var command = new Command("plan", "Print the predicted schedule on the team's Kaggle accounts and write a Gantt chart")
        {
            pipeline, workspace, profile, accounts, quota, used, reserve, chart, actual,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var specPath = result.GetValue(pipeline)!;
            var resolved = PipelineLoading.Load(specPath, result.GetValue(profile), []);
            var root = Workspace.For(specPath, result.GetValue(workspace));
            if (result.GetValue(actual))
                return await ChartActualAsync(services, resolved, root, result.GetValue(chart), cancellationToken);
            var names = result.GetValue(accounts) is { Length: > 0 } given ? given
                : Environment.GetEnvironmentVariable("STEELCI_KAGGLE_ACCOUNTS")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? ["account1"];
            Feasibility.Check(resolved);
            if (names.Length == 0)
                throw new UsageException("STEELCI_KAGGLE_ACCOUNTS names no account; give --account NAME");
            if (names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new UsageException($"--account {twice.Key} is given twice");
            if (result.GetValue(reserve) >= result.GetValue(quota))
                throw new UsageException($"--reserve-hours {result.GetValue(reserve)} leaves nothing of --quota-hours {result.GetValue(quota)} to plan into");
            var now = services.Time.GetUtcNow();
            var stageNames = resolved.Nodes.Select(n => n.Name).ToList();
            // A cluster joins the forecast when stages may run there (compute: slurm or any): each stage where it may run.
            var cluster = resolved.Compute.Slurm is { } slurm && resolved.Nodes.Any(n => resolved.BackendsOf(n).Contains(MixedPlacementPolicy.ClusterBackend))
                ? MixedPlacementPolicy.ClusterOf(slurm) : null;
            if (cluster is not null && names.Contains(cluster.Name))
                throw new UsageException($"--account {cluster.Name}: that name stands for the Slurm cluster in a mixed plan; name the Kaggle account otherwise");
            var configured = resolved.Nodes.Select(n => StageWork.Of(n, stageNames) with
            {
                Places = cluster is null ? Places.Kaggle : resolved.BackendsOf(n).Contains(MixedPlacementPolicy.ClusterBackend)
                    ? resolved.BackendsOf(n).Contains("kaggle") ? Places.Any : Places.Cluster : Places.Kaggle,
            }).ToList();
            var recorded = await LoadStateAsync(services, resolved, root, cancellationToken);
            var retrain = await RekeyAsync(services, resolved, root, recorded, cancellationToken);
            var done = EpochsDone(recorded, resolved, retrain);
            var options = new SimulationOptions();
            // Measured epoch times replace the configured budget where collected sessions measured them (issue 18).
            var speeds = MeasuredSpeeds.From(recorded, options.Scheduler.Startup);
            var stages = configured.Select(speeds.Apply).ToList();
            var team = names.Select(name => (new AccountSettings(name, TimeSpan.FromHours(result.GetValue(reserve))),
                new QuotaSnapshot(TimeSpan.FromHours(result.GetValue(quota)), TimeSpan.FromHours(result.GetValue(used)), TimeSpan.Zero,
                    now + options.RefreshPeriod))).ToList();
            var plan = await new Forecaster(options).PredictAsync(now, stages, done, team, new QuotaLedger(), cancellationToken,
                cluster is null ? null : [cluster]);
            var title = $"{resolved.Name} ({resolved.Profile}) on {names.Length} account(s)" +
                (cluster is null ? "" : $" and the Slurm cluster ({cluster.JobLimit} GPU job(s), {cluster.TimeLimit.TotalHours:0.#} h limit)");
            services.Out.Write(PlanText.Format(title, plan, stages, options.RefreshPeriod));
            services.Out.Write(SpeedText.Format(configured, speeds));
            if (result.GetValue(chart) is null)
                root.Claim();
            var png = Path.GetFullPath(result.GetValue(chart) ?? Path.Combine(root.Root, "plan.png"));
            Directory.CreateDirectory(Path.GetDirectoryName(png)!);
            GanttChart.Save(plan, title, png);
            services.Out.WriteLine($"Gantt chart: {png}");
            return ExitCodes.Success;
        });
        return command;
    }
}
