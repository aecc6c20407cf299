using System.Reflection;
using Spectre.Console;
using SteelCI.Kaggle.Backend;
using SteelCI.Kernels;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Running;
using SteelCI.Scheduling.Ticking;
using SteelCI.Slurm;
using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>
/// Where `steelci run` and `steelci tick` assemble a runner from <see cref="CliServices"/>: the clock and processes, the console reporter, the
/// backend the pipeline names (local processes or Kaggle accounts), its store and state, and the trainer packager.
/// </summary>
public sealed class RunnerComposition : IDisposable
{
    private readonly StoreWiring _store;

    private SlurmWiring? _slurm;

    private RunnerComposition(IAnsiConsole console, TimeProvider time, ConsoleReporter reporter, StoreWiring store, KaggleWiring? kaggle,
        IComputeBackend backend, int threads, PipelineRunner runner)
    {
        Console = console;
        Time = time;
        Reporter = reporter;
        _store = store;
        Kaggle = kaggle;
        Backend = backend;
        Threads = threads;
        Runner = runner;
    }

    public IAnsiConsole Console { get; }
    public TimeProvider Time { get; }
    public ConsoleReporter Reporter { get; }
    public KaggleWiring? Kaggle { get; }
    public IComputeBackend Backend { get; }
    /// <summary>What chooses where and for how long each ready stage runs (null: every ready stage, whole sessions).</summary>
    public IPlacementPolicy? Placement { get; private init; }
    public int Threads { get; }
    public PipelineRunner Runner { get; }
    public string StoreLocation => _store.Store.Location;

    /// <param name="pollInterval">How long `run` waits between polls (`tick` never waits).</param>
    internal static async Task<RunnerComposition> CreateAsync(CliServices services, Pipeline pipeline, Workspace workspace, int? slots,
        KaggleRunOptions.Values backendOptions, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        var (console, time, processes) = (services.Console, services.Time, services.Processes);
        var reporter = new ConsoleReporter(console, time);
        if (!reporter.Interactive)
            console.Profile.Width = Math.Max(console.Profile.Width, 160); // logs are read in wide viewers, not 80 columns
        var store = services.Store(pipeline.Store, workspace, reporter.Info);
        // Every backend a stage runs on (its compute: choice, else the pipeline's backend); several are routed.
        // compute: any stands for both kaggle and slurm (the placer chooses per chunk).
        var used = pipeline.Nodes.SelectMany(pipeline.BackendsOf).Distinct().ToList();
        var anywhere = pipeline.Nodes.Any(n => pipeline.BackendOf(n) == Pipeline.AnyBackend);
        if (used.Count == 0)
            used = [pipeline.Backend];
        var kaggle = used.Contains("kaggle") ? services.Kaggle(backendOptions, workspace.Root, configured: pipeline.Compute.Kaggle) : null;
        var slurm = used.Contains("slurm") ? services.Slurm(pipeline, Path.Combine(workspace.Root, "slurm", "outputs")) : null;
        workspace.Claim(); // after the settings were read: a refused one writes nothing
        var (slotCount, threads) = LocalBackend.SizeFor(Environment.ProcessorCount, slots ?? pipeline.Compute.Local?.Slots);
        var backends = new Dictionary<string, IComputeBackend>();
        foreach (var name in used)
            backends[name] = name switch
            {
                "kaggle" => kaggle!.Backend,
                "slurm" => slurm!.Backend,
                _ => new LocalBackend(processes, workspace.Root, slotCount, threads),
            };
        IComputeBackend backend = backends.Count == 1 ? backends.Values.Single() : new RoutingBackend(backends, used.Contains(pipeline.Backend) ? pipeline.Backend : used[0]);
        IPlacementPolicy? placement = anywhere
            ? new MixedPlacementPolicy(KaggleScheduler.Create(kaggle!, pipeline.SessionMinutes, time), MixedPlacementPolicy.ClusterOf(pipeline.Compute.Slurm!),
                backends.ToDictionary(b => b.Key, b => b.Value.Slots))
            : backends.Count > 1
            ? new ComputePlacementPolicy(backends.ToDictionary(b => b.Key, b => (b.Value.Slots,
                b.Value is SlurmBackend s ? s.MaxSession : TimeSpan.FromMinutes(pipeline.SessionMinutes))))
            : slurm is not null ? new ComputePlacementPolicy(new Dictionary<string, (int, TimeSpan)> { ["slurm"] = (slurm.Backend.Slots, slurm.Backend.MaxSession) })
            : kaggle is null ? null : KaggleScheduler.Create(kaggle, pipeline.SessionMinutes, time);
        var runner = new PipelineRunner(
            backend,
            store.Store,
            store.StateFor(pipeline.Name),
            services.Packager(pipeline, workspace),
            reporter,
            time,
            new RunnerOptions(pollInterval, Version(), await SourceCommitAsync(processes, pipeline.SpecPath, cancellationToken)),
            placement);
        return new RunnerComposition(console, time, reporter, store, kaggle, backend, threads, runner) { _slurm = slurm, Placement = placement };
    }

    public static string Version() =>
        typeof(RunnerComposition).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static async Task<string?> SourceCommitAsync(IProcessRunner processes, string specPath, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(specPath))!;
        try
        {
            var result = await processes.RunAsync(new ProcessSpec("git", ["rev-parse", "HEAD"], directory), cancellationToken);
            return result.ExitCode == 0 ? result.Output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // git is not installed: lineage simply has no commit
        }
    }

    public void Dispose()
    {
        Kaggle?.Dispose();
        _slurm?.Dispose();
        _store.Dispose();
    }
}
