using System.Text.Json.Nodes;
using SteelCI.Ports;

namespace SteelCI.Slurm.Tests;

/// <summary>Slurm's end states in SteelCI's terms, for states a local Slurm cannot produce (from fixtures).</summary>
public sealed class StateTests
{
    private static readonly SlurmOptions Options = new()
    {
        RestUrl = new Uri("http://127.0.0.1:1/"), User = "u", Partition = "gpu", SharedDir = "/shared", MemoryGb = 16,
    };

    private static AttemptStatus Map(string version, string file)
    {
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", version, file)))!;
        var paths = version == "v0.0.38" ? new[] { "/slurm/v0.0.38/ping" } : ["/slurm/v0.0.40/ping"];
        return SlurmStates.Map(SlurmDialect.Choose(paths).ParseJob((JsonObject)((JsonArray)json["jobs"]!)[0]!), Options);
    }

    [Theory]
    [InlineData("v0.0.38", "job-preempted.json")]
    [InlineData("v0.0.38", "job-node-fail.json")]
    [InlineData("v0.0.38", "job-timeout.json")]
    [InlineData("v0.0.38", "job-cancelled.json")]
    [InlineData("v0.0.40", "job-preempted.json")]
    [InlineData("v0.0.40", "job-node-fail.json")]
    [InlineData("v0.0.40", "job-timeout.json")]
    public void Jobs_the_cluster_took_away_are_lost_and_retried(string version, string file)
    {
        Assert.Equal(AttemptState.Lost, Map(version, file).State);
    }

    [Theory]
    [InlineData("v0.0.38")]
    [InlineData("v0.0.40")]
    public void Out_of_memory_is_an_error_that_names_the_setting_to_raise(string version)
    {
        var status = Map(version, "job-out-of-memory.json");
        Assert.Equal(AttemptState.Error, status.State);
        Assert.Contains("compute.slurm.memory_gb (now 16 GB)", status.Detail);
    }

    [Theory]
    [InlineData("v0.0.38", "exit code 3")]
    [InlineData("v0.0.40", "exit code 2")]
    public void Failed_is_the_code_s_failure_with_its_exit_code(string version, string expected)
    {
        var status = Map(version, "job-failed.json");
        Assert.Equal(AttemptState.Error, status.State);
        Assert.Contains(expected, status.Detail);
    }

    [Theory]
    [InlineData("v0.0.38", "job-requeued.json", AttemptState.Queued)]
    [InlineData("v0.0.40", "job-requeued.json", AttemptState.Queued)]
    [InlineData("v0.0.38", "job-running.json", AttemptState.Running)]
    [InlineData("v0.0.38", "job-completed.json", AttemptState.Complete)]
    [InlineData("v0.0.40", "job-completed.json", AttemptState.Complete)]
    public void Waiting_running_and_completed_jobs(string version, string file, AttemptState expected)
    {
        Assert.Equal(expected, Map(version, file).State);
    }
}
