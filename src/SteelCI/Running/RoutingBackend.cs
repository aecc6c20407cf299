using SteelCI.Ports;

namespace SteelCI.Running;

/// <summary>
/// Several backends behind one port, for a pipeline whose stages choose where they run (steelci.yml's per-stage
/// <c>compute:</c>): a package goes to the backend its <see cref="KernelPackage.Compute"/> names, and the handle
/// remembers which (key <see cref="BackendKey"/>), so polls, collection and stops reach the same backend after a
/// restart. Slots add up; <see cref="ComputePlacementPolicy"/> keeps each backend within its own.
/// </summary>
public sealed class RoutingBackend : IComputeBackend, ILostAttemptOutput
{
    public const string BackendKey = "backend";

    private readonly IReadOnlyDictionary<string, IComputeBackend> _backends;
    private readonly string _default;

    public RoutingBackend(IReadOnlyDictionary<string, IComputeBackend> backends, string defaultBackend)
    {
        if (!backends.ContainsKey(defaultBackend))
            throw new ArgumentException($"the default backend '{defaultBackend}' is not among {string.Join(", ", backends.Keys)}", nameof(defaultBackend));
        _backends = backends;
        _default = defaultBackend;
    }

    public string Name => string.Join("+", _backends.Keys);
    public int Slots => _backends.Values.Sum(b => b.Slots);
    public IReadOnlyDictionary<string, IComputeBackend> Backends => _backends;

    public bool FetchesSourcesOnDemand(string? compute) => Of(compute ?? _default).FetchesSourcesOnDemand(compute ?? _default);

    public async Task<AttemptHandle> SubmitAsync(KernelPackage package, CancellationToken cancellationToken)
    {
        var name = package.Compute ?? _default;
        var handle = await Of(name).SubmitAsync(package, cancellationToken);
        return handle with { Data = new Dictionary<string, string>(handle.Data) { [BackendKey] = name } };
    }

    public Task<AttemptStatus> PollAsync(AttemptHandle handle, CancellationToken cancellationToken) =>
        Of(handle).PollAsync(handle, cancellationToken);

    public Task<CollectedOutput> CollectAsync(AttemptHandle handle, CancellationToken cancellationToken) =>
        Of(handle).CollectAsync(handle, cancellationToken);

    public Task StopAsync(AttemptHandle handle, CancellationToken cancellationToken) => Of(handle).StopAsync(handle, cancellationToken);

    public Task<string> CancelAsync(AttemptHandle handle, CancellationToken cancellationToken) => Of(handle).CancelAsync(handle, cancellationToken);

    public Task<string?> LostOutputAsync(AttemptHandle handle, CancellationToken cancellationToken) =>
        Of(handle) is ILostAttemptOutput lost ? lost.LostOutputAsync(handle, cancellationToken) : Task.FromResult<string?>(null);

    private IComputeBackend Of(AttemptHandle handle) => Of(handle.Data.GetValueOrDefault(BackendKey) ?? _default);

    private IComputeBackend Of(string name) => _backends.GetValueOrDefault(name)
        ?? throw new InvalidOperationException($"backend '{name}' is not configured for this run (configured: {string.Join(", ", _backends.Keys)})");
}

/// <summary>
/// Placement for a <see cref="RoutingBackend"/>: ready stages in the pipeline's order, each only while its own backend
/// has a free slot (attempts recorded as active on that backend count), with that backend's longest session.
/// </summary>
public sealed class ComputePlacementPolicy(IReadOnlyDictionary<string, (int Slots, TimeSpan MaxSession)> limits) : IPlacementPolicy
{
    public Task<IReadOnlyList<PlacementDecision>> PlaceAsync(PlacementRequest request, CancellationToken cancellationToken)
    {
        var busy = request.State.Stages.Values.SelectMany(s => s.Attempts).Where(a => a.IsActive)
            .GroupBy(a => a.Backend).ToDictionary(g => g.Key, g => g.Count());
        var decisions = new List<PlacementDecision>();
        foreach (var candidate in request.Ready)
        {
            if (decisions.Count >= request.FreeSlots)
                break;
            var name = request.Pipeline.BackendOf(candidate.Node);
            if (!limits.TryGetValue(name, out var limit) || busy.GetValueOrDefault(name) >= limit.Slots)
                continue;
            busy[name] = busy.GetValueOrDefault(name) + 1;
            var session = TimeSpan.FromMinutes(request.Pipeline.SessionMinutes);
            decisions.Add(new PlacementDecision(candidate.Node.Name, null, session < limit.MaxSession ? session : limit.MaxSession,
                candidate.Node.Epochs - candidate.EpochsDone));
        }
        return Task.FromResult<IReadOnlyList<PlacementDecision>>(decisions);
    }
}
