using System.Text.Json.Nodes;

namespace SteelCI.Slurm.Tests;

/// <summary>Request and response shapes per API version, against recorded (v0.0.38) and documented (v0.0.40) fixtures.</summary>
public sealed class DialectTests
{
    private static JsonObject Fixture(string version, string name) =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", version, name)))!;

    private static IEnumerable<string> Paths(string version) => ((JsonObject)Fixture(version, "openapi-v3-paths.json")["paths"]!).Select(p => p.Key);

    private static SlurmJob Job(string version, string name) =>
        SlurmDialect.Choose(Paths(version)).ParseJob((JsonObject)((JsonArray)Fixture(version, name)["jobs"]!)[0]!);

    [Fact]
    public void Debian_s_22_05_is_spoken_in_v0_0_38()
    {
        Assert.Equal("v0.0.38", SlurmDialect.Choose(Paths("v0.0.38")).Version);
    }

    [Fact]
    public void A_newer_server_is_spoken_in_its_newest_known_version()
    {
        Assert.Equal("v0.0.41", SlurmDialect.Choose(Paths("v0.0.40")).Version);
    }

    [Fact]
    public void A_server_with_no_known_version_is_refused_with_what_it_offers()
    {
        var error = Assert.Throws<SlurmException>(() => SlurmDialect.Choose(["/slurm/v0.0.43/ping/", "/slurm/v0.0.44/ping/", "/openapi/v3"]));
        Assert.Contains("offers v0.0.43, v0.0.44", error.Message);
        Assert.Contains("v0.0.38", error.Message);
    }

    [Theory]
    [InlineData("job-running.json", "RUNNING", 0, null)]
    [InlineData("job-requeued.json", "PENDING", 1, null)]
    [InlineData("job-completed.json", "COMPLETED", 0, 0)]
    [InlineData("job-failed.json", "FAILED", 0, 3)]
    [InlineData("job-cancelled.json", "CANCELLED", 1, 0)]
    public void Recorded_v0_0_38_jobs_read_as_recorded(string file, string state, int restarts, int? exitCode)
    {
        var job = Job("v0.0.38", file);
        Assert.Equal(state, job.State);
        Assert.Equal(restarts, job.RestartCount);
        if (exitCode is not null)
            Assert.Equal(exitCode, job.ExitCode); // 768 is the wait status of `exit 3`
    }

    [Theory]
    [InlineData("job-running.json", "RUNNING", 0, null)]
    [InlineData("job-requeued.json", "PENDING", 1, null)]
    [InlineData("job-completed.json", "COMPLETED", 0, 0)]
    [InlineData("job-failed.json", "FAILED", 0, 2)]
    [InlineData("job-out-of-memory.json", "OUT_OF_MEMORY", 0, 0)]
    [InlineData("job-node-fail.json", "NODE_FAIL", 0, null)]
    public void V0_0_40_jobs_read_their_list_states_and_structured_numbers(string file, string state, int restarts, int? exitCode)
    {
        var job = Job("v0.0.40", file);
        Assert.Equal(state, job.State);
        Assert.Equal(restarts, job.RestartCount);
        Assert.Equal(exitCode, job.ExitCode);
    }

    [Fact]
    public void A_requeued_v0_0_40_job_keeps_its_flag()
    {
        Assert.Equal(["REQUEUED"], Job("v0.0.40", "job-requeued.json").Flags);
    }

    [Fact]
    public void The_v0_0_40_submit_body_has_the_documented_shape()
    {
        var dialect = SlurmDialect.Choose(Paths("v0.0.40"));
        var body = dialect.SubmitBody(new SlurmSubmission("severstal-seg3-abc", "#!/bin/sh\necho hi\n", "gpu", 62,
            "/shared/steelci/attempts/severstal-seg3-abc", "/shared/steelci/attempts/severstal-seg3-abc/log.txt",
            new Dictionary<string, string> { ["PATH"] = "/usr/local/bin:/usr/bin:/bin", ["STEELCI_SESSION_SECONDS"] = "3600" })
        {
            Gres = "gpu:1",
            Account = "lab",
            MemoryMb = 16384,
        });
        Assert.True(JsonNode.DeepEquals(Fixture("v0.0.40", "submit-request.json"), body), body.ToJsonString());
    }

    [Fact]
    public void The_v0_0_38_submit_body_uses_flat_numbers_gres_and_an_environment_map()
    {
        var body = SlurmDialect.Choose(Paths("v0.0.38")).SubmitBody(new SlurmSubmission("a", "#!/bin/sh\n", "debug", 5, "/w", "/w/log.txt",
            new Dictionary<string, string> { ["A"] = "1" }) { Gres = "gpu:1" });
        var job = body["job"]!;
        Assert.Equal(5, job["time_limit"]!.GetValue<int>());
        Assert.Equal("gpu:1", job["gres"]!.GetValue<string>());
        Assert.Equal("1", job["environment"]!["A"]!.GetValue<string>());
        Assert.Null(job["signal"]); // v0.0.38 rejects signal options: the deadline is the trainer's own
    }
}
