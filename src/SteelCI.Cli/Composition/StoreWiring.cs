using SteelCI.GitHub;
using SteelCI.Local;
using SteelCI.Ports;

namespace SteelCI.Cli;

/// <summary>The artifact store a pipeline names (<c>store:</c> in steelci.yml, or <c>--store</c>): local folder or GitHub releases.</summary>
public sealed class StoreWiring : IDisposable
{
    private readonly HttpClient? _transfers;
    private readonly Func<string, IStateStore> _state;

    private StoreWiring(IArtifactStore store, HttpClient? transfers, Func<string, IStateStore> state)
    {
        Store = store;
        _transfers = transfers;
        _state = state;
    }

    public IArtifactStore Store { get; }

    /// <summary>Where the pipeline's state lives: state.json in the workspace for the local store; for GitHub, assets of
    /// the draft release <c>steelci-state-{pipeline}</c> (<see cref="GitHubStateStore"/>), so runners that share no
    /// disk (the scheduled workflow) share the state.</summary>
    public IStateStore StateFor(string pipeline) => _state(pipeline);

    /// <summary>
    /// GitHub reads GITHUB_REPOSITORY, GITHUB_API_URL and a token (STEELCI_GITHUB_TOKEN, GITHUB_TOKEN, GH_TOKEN) from
    /// the environment; fetched releases are cached under the workspace.
    /// </summary>
    public static StoreWiring Create(string store, Workspace workspace, TimeProvider time, Action<string> log)
    {
        if (store == "local")
            return new StoreWiring(new LocalArtifactStore(workspace.Releases, time), null, _ => new FileStateStore(workspace.State));
        if (store != "github")
            throw new UsageException($"--store {store}: expected local or github");
        var options = Settings.GitHub(workspace, log);
        var transfers = GitHubArtifactStore.CreateTransferClient();
        return new StoreWiring(new GitHubArtifactStore(options, transfers, time), transfers,
            pipeline => new GitHubStateStore(options, pipeline, transfers, time, new GitHubStateOptions { RenewEvery = TimeSpan.FromMinutes(20) }));
    }

    public void Dispose() => _transfers?.Dispose();
}
