using Spectre.Console;
using SteelCI.Kaggle.Backend;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>
/// What every command receives from the one composition root (Program.cs): the clock, the consoles, the process
/// runner, and the factories of the pipeline's store, state, Kaggle clients and runner. No command creates a clock, a
/// console or a client itself; tests give a fake clock and a recording console here.
/// </summary>
public sealed class CliServices(TimeProvider time, IAnsiConsole console, IAnsiConsole errorConsole, IProcessRunner processes)
{
    public TimeProvider Time { get; } = time;

    /// <summary>Standard output.</summary>
    public IAnsiConsole Console { get; } = console;

    /// <summary>Standard output as plain text, never wrapped: lines meant to be copied (paths, URLs, commands).</summary>
    public TextWriter Out => Console.Profile.Out.Writer;

    /// <summary>Standard error, plain text: progress lines of a command whose standard output is for machines (--json).</summary>
    public IAnsiConsole ErrorConsole { get; } = errorConsole;

    public IProcessRunner Processes { get; } = processes;

    /// <summary>The artifact store a pipeline names (local folder or GitHub releases) and where its state is kept.</summary>
    public StoreWiring Store(string kind, Workspace workspace, Action<string>? log = null) =>
        StoreWiring.Create(kind, workspace, Time, log ?? (line => Console.WriteLine(line)));

    /// <summary>One Kaggle client per configured account and the kaggle backend over them.</summary>
    public KaggleWiring Kaggle(KaggleRunOptions.Values values, string workspaceRoot, IAnsiConsole? log = null, KaggleComputeSpec? configured = null) =>
        KaggleWiring.Create(values, workspaceRoot, log ?? Console, Time, configured);

    /// <summary>The Slurm backend over the cluster the pipeline's compute section names.</summary>
    public SlurmWiring Slurm(Pipeline pipeline, string? localDir = null) => SlurmWiring.Create(pipeline, localDir);

    /// <summary>The pipeline file, workspace and recorded state of the day-to-day commands (status, logs, cancel, ...).</summary>
    public OperateContext Operate(string specPath, string? workspaceRoot, string? profile, KaggleRunOptions.Values? backend = null,
        bool strict = true, string? store = null) =>
        OperateContext.Open(this, specPath, workspaceRoot, profile, backend, strict, store);

    /// <summary>The local backend over this machine's processes.</summary>
    public LocalBackend LocalBackend(string workspaceRoot, int slots = 1, int threads = 1) => new(Processes, workspaceRoot, slots, threads);

    /// <summary>
    /// The trainer packager a run of <paramref name="pipeline"/> uses: bundles that carry the .NET runtime where a stage
    /// runs off this machine (Kaggle's image and a cluster's nodes may have no .NET), so its hash is the run's.
    /// </summary>
    public SourceKeyedPackager Packager(Pipeline pipeline, Workspace workspace)
    {
        var runtime = (pipeline.Nodes.Count == 0 ? [pipeline.Backend] : pipeline.Nodes.Select(pipeline.BackendOf)).Any(u => u != "local")
            ? KaggleWiring.TrainerRuntime : null;
        return new(new Kernels.KernelPackager(new Kernels.TrainerPublisher(Processes, workspace.Root, runtime), workspace.Root), Processes, runtime);
    }

    /// <summary>A runner for <c>run</c> and <c>tick</c>: the backend(s) the pipeline names, its store and state, the packager.</summary>
    public Task<RunnerComposition> RunnerAsync(Pipeline pipeline, Workspace workspace, int? slots, KaggleRunOptions.Values backendOptions,
        TimeSpan pollInterval, CancellationToken cancellationToken) =>
        RunnerComposition.CreateAsync(this, pipeline, workspace, slots, backendOptions, pollInterval, cancellationToken);
}
