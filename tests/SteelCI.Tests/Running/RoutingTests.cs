using Microsoft.Extensions.Time.Testing;
using SteelCI.Contracts;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Running;
using SteelCI.Spec;
using SteelCI.State;
using SteelCI.Testing;

namespace SteelCI.Tests.Running;

/// <summary>A mixed pipeline: each stage on the backend its compute: names, each backend within its own slots and session limit.</summary>
public sealed class RoutingTests : IDisposable
{
    private const string Yaml = """
        version: 1
        name: pipe
        trainer: { project: t.csproj }
        backend: local
        compute:
          slurm: { rest_url: "http://cluster:6820", user: u, partition: gpu, shared_dir: /shared }
        datasets:
          data: { generate: { entry: make } }
        stages:
          a1: { entry: fit, inputs: [data], compute: slurm }
          a2: { entry: fit, inputs: [data], compute: slurm }
          a3: { entry: fit, inputs: [data], compute: slurm }
          b1: { entry: fit, inputs: [data] }
        """;

    private readonly TempDirectory _dir = new("routing");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    /// <summary>Packages through one recording packager and hands the stage config to both scripted backends (they write the outputs).</summary>
    private sealed class SharedPackager(RecordingPackager inner, ScriptedBackend first, ScriptedBackend second) : IKernelPackager
    {
        public Task<TrainerBundle> PrepareTrainerAsync(Pipeline pipeline, CancellationToken cancellationToken) =>
            inner.PrepareTrainerAsync(pipeline, cancellationToken);

        public KernelPackage Package(string slug, StageConfig config, TrainerBundle bundle, IReadOnlyList<KernelSource> sources,
            string accelerator, TimeSpan sessionLimit)
        {
            var package = inner.Package(slug, config, bundle, sources, accelerator, sessionLimit);
            second.Configs[slug] = first.Configs[slug];
            return package;
        }
    }

    [Fact]
    public async Task Stages_go_to_their_backend_within_its_slots_and_session_limit()
    {
        var attempts = _dir.Combine("attempts");
        var local = new ScriptedBackend(attempts, slots: 2, pollsToFinish: 2);
        var slurm = new ScriptedBackend(attempts, slots: 1, pollsToFinish: 2);
        var routing = new RoutingBackend(new Dictionary<string, IComputeBackend> { ["local"] = local, ["slurm"] = slurm }, "local");
        var policy = new ComputePlacementPolicy(new Dictionary<string, (int, TimeSpan)>
        {
            ["local"] = (local.Slots, TimeSpan.FromHours(12)),
            ["slurm"] = (slurm.Slots, TimeSpan.FromMinutes(58)),
        });
        var runner = new PipelineRunner(routing, new LocalArtifactStore(_dir.Combine("releases"), _time), new FileStateStore(_dir.Combine("state")),
            new SharedPackager(new RecordingPackager(_dir.Path, local), local, slurm), new RecordingReporter(), _time,
            new RunnerOptions(TimeSpan.Zero, "0.1.0", "abc"), policy);
        var pipeline = PipelineResolver.Resolve(SpecLoader.Parse(Yaml, _dir.Combine("steelci.yml")), _dir.Combine("steelci.yml"), new PipelineOptions());

        var summary = await runner.RunAsync(pipeline, new RunRequest(), default);

        Assert.True(summary.Succeeded);
        Assert.Equal(["a1", "a2", "a3"], slurm.Submitted.Select(p => slurm.Configs[p.Slug].Stage).Order());
        Assert.Equal(["b1", "data"], local.Submitted.Select(p => local.Configs[p.Slug].Stage).Order());
        Assert.Equal(1, slurm.MaxConcurrent); // its job_limit, though the routing backend has 3 slots in all
        Assert.All(slurm.Submitted, p => Assert.Equal(TimeSpan.FromMinutes(58), p.SessionLimit));
        Assert.All(local.Submitted, p => Assert.Equal(TimeSpan.FromMinutes(720), p.SessionLimit));
        var state = await new FileStateStore(_dir.Combine("state")).LoadAsync(default);
        Assert.Equal("slurm", state!.Stages["a2"].Attempts.Single().Backend);
        Assert.Equal("local", state.Stages["b1"].Attempts.Single().Backend);
        Assert.Equal("slurm", state.Stages["a2"].Attempts.Single().Handle![RoutingBackend.BackendKey]);
    }

    /// <summary>Sends every compute: any stage to the backend named here (a placement that chose), the rest nowhere new.</summary>
    private sealed class ChoosingPolicy(string backend) : IPlacementPolicy
    {
        public Task<IReadOnlyList<PlacementDecision>> PlaceAsync(PlacementRequest request, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<PlacementDecision>>(request.Ready.Select(c => new PlacementDecision(c.Node.Name, null, TimeSpan.FromMinutes(58))
            {
                Backend = request.Pipeline.BackendOf(c.Node) == Pipeline.AnyBackend ? backend : null,
            }).ToList());
    }

    [Fact]
    public async Task A_stage_on_compute_any_runs_on_the_backend_its_placement_chose_and_is_followed_there()
    {
        var attempts = _dir.Combine("attempts");
        var local = new ScriptedBackend(attempts, slots: 4, pollsToFinish: 2);
        var slurm = new ScriptedBackend(attempts, slots: 4, pollsToFinish: 2);
        var routing = new RoutingBackend(new Dictionary<string, IComputeBackend> { ["local"] = local, ["slurm"] = slurm }, "local");
        var runner = new PipelineRunner(routing, new LocalArtifactStore(_dir.Combine("releases"), _time), new FileStateStore(_dir.Combine("state")),
            new SharedPackager(new RecordingPackager(_dir.Path, local), local, slurm), new RecordingReporter(), _time,
            new RunnerOptions(TimeSpan.Zero, "0.1.0", "abc"), new ChoosingPolicy("slurm"));
        var yaml = Yaml.Replace("a1: { entry: fit, inputs: [data], compute: slurm }", "a1: { entry: fit, inputs: [data], compute: any, accelerator: gpu }");
        var pipeline = PipelineResolver.Resolve(SpecLoader.Parse(yaml, _dir.Combine("steelci.yml")), _dir.Combine("steelci.yml"), new PipelineOptions());

        var summary = await runner.RunAsync(pipeline, new RunRequest(), default);

        Assert.True(summary.Succeeded);
        Assert.Contains("a1", slurm.Submitted.Select(p => slurm.Configs[p.Slug].Stage));
        Assert.DoesNotContain("a1", local.Submitted.Select(p => local.Configs[p.Slug].Stage));
        var state = await new FileStateStore(_dir.Combine("state")).LoadAsync(default);
        Assert.Equal("slurm", state!.Stages["a1"].Attempts.Single().Backend);
        Assert.Equal("slurm", state.Stages["a1"].Attempts.Single().Handle![RoutingBackend.BackendKey]);
    }
}
