using Spectre.Console;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// What the day-to-day commands (status, logs, cancel, retry, prune, doctor) share: the pipeline file (with a profile,
/// for epochs and budgets), its workspace and its recorded state. The state is where the pipeline's store keeps it
/// (state.json in the workspace, or the GitHub state release for <c>store: github</c>), read and locked as
/// <c>steelci run</c> and <c>steelci tick</c> do.
/// </summary>
public sealed class OperateContext : IDisposable
{
    private readonly StoreWiring? _wiring;
    private readonly Func<IArtifactStore> _localStore;

    private OperateContext(CliServices services, string specPath, Workspace workspace, Pipeline? pipeline, string? pipelineProblem, bool strict)
    {
        SpecPath = specPath;
        Workspace = workspace;
        Pipeline = pipeline;
        PipelineProblem = pipelineProblem;
        StateStore = new FileStateStore(workspace.State);
        _localStore = () => new LocalArtifactStore(workspace.Releases, services.Time);
        if (pipeline is not { Store: not "local" })
            return;
        try
        {
            _wiring = services.Store(pipeline.Store, workspace, _ => { });
            StateStore = _wiring.StateFor(pipeline.Name);
        }
        catch (Exception error) when (!strict && error is GitHub.GitHubStoreException or UsageException) // doctor and status still show what they can
        {
            PipelineProblem = $"the {pipeline.Store} store cannot be reached ({error.Message}); showing the local state";
        }
    }

    public void Dispose() => _wiring?.Dispose();

    public string SpecPath { get; }
    public Workspace Workspace { get; }
    /// <summary>Null when the pipeline file could not be read (<see cref="PipelineProblem"/> says why); the state still shows.</summary>
    public Pipeline? Pipeline { get; }
    public string? PipelineProblem { get; }
    public IStateStore StateStore { get; }

    /// <summary>The artifact store beside the state: the pipeline's GitHub releases, else the workspace's release folder.</summary>
    public IArtifactStore ArtifactStore => _wiring?.Store
        ?? (Pipeline is { Store: not "local" } ? throw new InvalidOperationException($"the {Pipeline.Store} store is not wired ({PipelineProblem})") : _localStore());

    /// <summary>With <paramref name="strict"/> a broken pipeline file stops the command (exit 2); without, it is noted.</summary>
    /// <param name="store">--store: read the state where that store keeps it (after <c>run --store github</c>).</param>
    internal static OperateContext Open(CliServices services, string specPath, string? workspaceRoot, string? profile, KaggleRunOptions.Values? backend = null, bool strict = true,
        string? store = null)
    {
        var workspace = Workspace.For(specPath, workspaceRoot);
        try
        {
            var pipeline = PipelineLoading.Load(specPath, profile, []);
            if (backend is not null)
                pipeline = backend.Apply(pipeline);
            if (store is not null)
                pipeline = pipeline with { Store = store };
            return new OperateContext(services, specPath, workspace, pipeline, null, strict);
        }
        catch (Exception error) when (!strict && error is SpecException or FileNotFoundException or DirectoryNotFoundException)
        {
            return new OperateContext(services, specPath, workspace, null, error.Message, strict);
        }
    }

    public Task<RunState?> LoadStateAsync(CancellationToken cancellationToken) => StateStore.LoadAsync(cancellationToken);

    /// <summary>The inputs of a stage according to the pipeline file (none when it is unknown).</summary>
    public IEnumerable<string> InputsOf(string stage) =>
        Pipeline?.Nodes.FirstOrDefault(n => n.Name == stage)?.Inputs ?? [];

    public static IAnsiConsole Wide(IAnsiConsole console)
    {
        if (!console.Profile.Capabilities.Interactive)
            console.Profile.Width = Math.Max(console.Profile.Width, 200);
        return console;
    }
}
