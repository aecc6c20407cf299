using System.Text.Json.Nodes;

namespace SteelCI.Slurm;

/// <summary>
/// The request and response shapes of one slurmrestd OpenAPI version. SchedMD drops old versions within a year or two,
/// so the version is chosen at run time from /openapi/v3 (<see cref="Choose"/>). Evidence per shape:
/// tests/SteelCI.Slurm.Tests/Fixtures/README.md.
/// </summary>
public abstract class SlurmDialect
{
    public abstract string Version { get; }

    public abstract JsonObject SubmitBody(SlurmSubmission submission);

    public abstract SlurmJob ParseJob(JsonObject job);

    /// <summary>A partition's wall-clock limit in minutes; null when it has none (infinite) or does not say.</summary>
    public abstract double? ParseMaxMinutes(JsonObject partition);

    public long ParseSubmitted(JsonObject response) =>
        response["job_id"]?.GetValue<long>() ?? throw new SlurmException($"slurmrestd {Version} accepted the job but sent no job_id");

    /// <summary>Versions this SteelCI speaks, newest first.</summary>
    public static readonly IReadOnlyList<SlurmDialect> Known =
        [new V0040("v0.0.42"), new V0040("v0.0.41"), new V0040("v0.0.40"), new V0038()];

    /// <summary>The newest known version among the paths a server's /openapi/v3 lists.</summary>
    public static SlurmDialect Choose(IEnumerable<string> paths)
    {
        var offered = paths.Select(p => p.Split('/', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 2 && p[0] == "slurm").Select(p => p[1]).ToHashSet(StringComparer.Ordinal);
        return Known.FirstOrDefault(d => offered.Contains(d.Version))
            ?? throw new SlurmException($"slurmrestd offers {(offered.Count == 0 ? "no slurm API" : string.Join(", ", offered.Order()))}; " +
                $"this SteelCI speaks {string.Join(", ", Known.Select(k => k.Version))}. Ask the admin to load one of those " +
                "(slurmrestd -s openapi/VERSION) or update SteelCI");
    }

    /// <summary>v0.0.38 (Slurm 22.05, Debian 12): flat numbers, job_state a string, exit_code a wait status.</summary>
    private sealed class V0038 : SlurmDialect
    {
        public override string Version => "v0.0.38";

        public override JsonObject SubmitBody(SlurmSubmission s)
        {
            var environment = new JsonObject();
            foreach (var (key, value) in s.Environment)
                environment[key] = value;
            var job = new JsonObject
            {
                ["name"] = s.Name,
                ["partition"] = s.Partition,
                ["time_limit"] = s.TimeLimitMinutes,
                ["current_working_directory"] = s.WorkingDirectory,
                ["standard_output"] = s.StandardOutput,
                ["environment"] = environment,
                ["requeue"] = true,
            };
            if (s.Gres is not null)
                job["gres"] = s.Gres;
            if (s.Account is not null)
                job["account"] = s.Account;
            if (s.MemoryMb is { } memory)
                job["memory_per_node"] = memory;
            return new JsonObject { ["script"] = s.Script, ["job"] = job };
        }

        public override SlurmJob ParseJob(JsonObject job)
        {
            var status = job["exit_code"]?.GetValue<int>();
            return new SlurmJob(job["job_id"]!.GetValue<long>(), job["job_state"]?.GetValue<string>() ?? "UNKNOWN", [],
                job["state_reason"]?.GetValue<string>(), status is { } wait ? (wait >> 8) & 0xff : null,
                job["restart_cnt"]?.GetValue<int>() ?? 0);
        }

        public override double? ParseMaxMinutes(JsonObject partition) =>
            partition["max_time_limit"] is JsonValue value && value.TryGetValue<double>(out var minutes) ? minutes : null;
    }

    /// <summary>
    /// v0.0.40 and later (Slurm 23.11+): numbers as {set, infinite, number}, environment a list of NAME=value,
    /// job_state a list (base state first, then flags), gres as tres_per_job, exit_code {status, return_code}.
    /// </summary>
    private sealed class V0040(string version) : SlurmDialect
    {
        public override string Version => version;

        public override JsonObject SubmitBody(SlurmSubmission s)
        {
            var job = new JsonObject
            {
                ["name"] = s.Name,
                ["partition"] = s.Partition,
                ["time_limit"] = Number(s.TimeLimitMinutes),
                ["current_working_directory"] = s.WorkingDirectory,
                ["standard_output"] = s.StandardOutput,
                ["environment"] = new JsonArray(s.Environment.Select(e => (JsonNode)JsonValue.Create($"{e.Key}={e.Value}")!).ToArray()),
                ["requeue"] = true,
            };
            if (s.Gres is not null)
                job["tres_per_job"] = "gres/" + s.Gres;
            if (s.Account is not null)
                job["account"] = s.Account;
            if (s.MemoryMb is { } memory)
                job["memory_per_node"] = Number(memory);
            return new JsonObject { ["script"] = s.Script, ["job"] = job };
        }

        public override SlurmJob ParseJob(JsonObject job)
        {
            var states = job["job_state"] switch
            {
                JsonArray list => list.Select(s => s!.GetValue<string>()).ToList(),
                JsonValue single => [single.GetValue<string>()],
                _ => ["UNKNOWN"],
            };
            int? code = job["exit_code"]?["return_code"] is JsonObject rc && rc["set"]?.GetValue<bool>() == true
                ? rc["number"]!.GetValue<int>() : null;
            return new SlurmJob(job["job_id"]!.GetValue<long>(), states.FirstOrDefault() ?? "UNKNOWN", states.Skip(1).ToList(),
                job["state_reason"]?.GetValue<string>(), code, job["restart_cnt"]?.GetValue<int>() ?? 0);
        }

        public override double? ParseMaxMinutes(JsonObject partition) =>
            partition["maximums"]?["time"] is JsonObject time && time["set"]?.GetValue<bool>() == true && time["infinite"]?.GetValue<bool>() != true
                ? time["number"]!.GetValue<double>() : null;

        private static JsonObject Number(long value) => new() { ["set"] = true, ["infinite"] = false, ["number"] = value };
    }
}
