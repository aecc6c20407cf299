using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SteelCI.Kaggle.Probe;

public enum ProbeVerdict { Info, Ok, Note, Problem }

/// <summary>One line of the probe's table: what was checked, what the kernel found, and what it means for the launcher.</summary>
public sealed record ProbeRow(string Item, string Value, ProbeVerdict Verdict, string Meaning = "");

/// <summary>The probe kernel's JSON (see <see cref="ProbeScript"/>), read leniently: a missing field shows as "?".</summary>
public sealed class ProbeReport
{
    /// <summary>The libtorch version TorchSharp 0.107 binds; the launcher uses the image's torch for CUDA only when it matches.</summary>
    public const string DefaultLibtorch = "2.10.0";

    private ProbeReport(JsonObject root, string json)
    {
        Root = root;
        Json = json;
    }

    public JsonObject Root { get; }
    public string Json { get; }

    public static ProbeReport Parse(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"the probe's report is not JSON: {error.Message}", error);
        }
        return node is JsonObject root ? new ProbeReport(root, json) : throw new InvalidDataException("the probe's report is not a JSON object");
    }

    /// <summary>The report from the kernel's output folder (<see cref="ProbeScript.ResultFile"/>), else from its log; null when neither has it.</summary>
    public static ProbeReport? Find(string? outputDirectory, string log)
    {
        var file = outputDirectory is null ? null : Path.Combine(outputDirectory, ProbeScript.ResultFile);
        if (file is not null && File.Exists(file))
            return Parse(File.ReadAllText(file));
        var line = log.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith(ProbeScript.LogMarker, StringComparison.Ordinal));
        return line is null ? null : Parse(line[ProbeScript.LogMarker.Length..]);
    }

    /// <summary>The table's rows, in a fixed order; <paramref name="libtorch"/> is the version the trainer's TorchSharp binds.</summary>
    public IReadOnlyList<ProbeRow> Rows(string libtorch = DefaultLibtorch)
    {
        var rows = new List<ProbeRow>();
        var os = Root["os"];
        rows.Add(new("os", Error(os) ?? $"{Str(os, "pretty_name")} · kernel {Str(os, "kernel")} · {Str(os, "machine")} · {Str(os, "glibc")}", ProbeVerdict.Info));
        var stamp = os?["build_stamp"] as JsonObject;
        rows.Add(stamp is { Count: > 0 }
            ? new("image build", string.Join(" · ", stamp.Select(p => $"{p.Key} {p.Value}")), ProbeVerdict.Info)
            : new("image build", "no /etc/git_commit or /etc/build_date", ProbeVerdict.Note, "not Kaggle's image, or the stamp moved"));
        rows.Add(new("on Kaggle", YesNo(os?["on_kaggle"]), ProbeVerdict.Info, "a local or fake run sets STEELCI_INPUT_ROOT"));
        rows.Add(new("cpus / memory", $"{Str(os, "cpus")} CPUs · {GiB(os?["memory_bytes"])} memory", ProbeVerdict.Info));

        var cxx = Root["libstdcxx"];
        rows.Add(new("libstdc++", Error(cxx) ?? $"GLIBCXX up to {Str(cxx, "max")} ({Str(cxx, "path")})", Error(cxx) is null ? ProbeVerdict.Info : ProbeVerdict.Problem));
        var has30 = Bool(cxx?["has_3_4_30"]);
        rows.Add(new("GLIBCXX_3.4.30", YesNo(cxx?["has_3_4_30"]), has30 == true ? ProbeVerdict.Ok : ProbeVerdict.Problem,
            has30 == true ? "the .NET runtime and libtorch load" : "older than the images SteelCI was built for: the trainer may not load"));
        var has32 = Bool(cxx?["has_3_4_32"]);
        rows.Add(new("GLIBCXX_3.4.32", YesNo(cxx?["has_3_4_32"]), has32 == true ? ProbeVerdict.Ok : ProbeVerdict.Note,
            has32 == true ? "no glibcxx fix needed" : "the launcher weakens libLibTorchSharp.so's need (glibcxx fix)"));

        var python = Root["python"];
        rows.Add(new("python", $"{Str(python, "version")} ({Str(python, "executable")})", ProbeVerdict.Info));

        var torch = Root["torch"];
        var torchError = Error(torch);
        var torchVersion = torch?["version"]?.GetValue<string>();
        rows.Add(new("torch", torchError ?? torchVersion ?? "?", torchError is null ? ProbeVerdict.Info : ProbeVerdict.Note,
            torchError is null ? "" : "no image torch: CUDA only from libraries shipped with the trainer"));
        var matches = torchVersion is not null && Matches(torchVersion, libtorch);
        rows.Add(new($"torch = libtorch {libtorch}", torchVersion is null ? "no" : matches ? "yes" : "no",
            matches ? ProbeVerdict.Ok : ProbeVerdict.Note,
            matches ? "the launcher runs gpu stages on the image's CUDA libraries (rung a)" : "rung a is out: see the device rung row"));
        var gpus = torch?["gpus"] is JsonValue g && g.TryGetValue<int>(out var count) ? count : 0;
        var names = torch?["names"] is JsonArray list ? string.Join(", ", list.Select(n => n?.ToString())) : "";
        rows.Add(new("CUDA (torch)", torchError is not null ? "-" :
                $"cuda {Str(torch, "cuda")} · cudnn {Str(torch, "cudnn")} · {gpus} GPU(s){(names.Length > 0 ? ": " + names : "")}",
            gpus > 0 ? ProbeVerdict.Ok : ProbeVerdict.Note, gpus > 0 ? "" : "no GPU visible to torch (a cpu session, or no CUDA)"));

        var smi = Root["nvidia_smi"];
        var smiValue = Bool(smi?["present"]) != true ? "not present"
            : smi?["gpus"] is JsonArray lines && lines.Count > 0 ? string.Join("; ", lines.Select(l => l?.ToString()))
            : $"no GPU listed (exit {Str(smi, "exit")}{(smi?["error"] is { } e ? ": " + e : "")})";
        rows.Add(new("nvidia-smi -L", Error(smi) ?? smiValue, ProbeVerdict.Info));
        var smiGpus = smi?["gpus"] is JsonArray smiLines ? smiLines.Count : 0;
        rows.AddRange(RuntimeRows(libtorch, matches && torchError is null && Str(torch, "cuda") is not ("" or "?" or "null") && gpus > 0,
            Math.Max(gpus, smiGpus), torchVersion));

        var input = Root["input"];
        var layout = input?["layout"]?.GetValue<string>();
        rows.Add(new("input layout", Error(input) ?? layout switch
        {
            "flat" => $"flat: {Str(input, "root")}/{Str(input, "probe_input")}",
            "nested" => $"nested: {Str(input, "root")}/{Str(input, "probe_input")}",
            _ => $"probe input not found under {Str(input, "root")}",
        }, layout is null ? ProbeVerdict.Problem : ProbeVerdict.Ok, layout switch
        {
            "flat" => "/kaggle/input/{slug}",
            "nested" => "/kaggle/input/{kind}/{owner}/{slug}",
            _ => "the launcher would not find its inputs",
        }));
        var tree = input?["tree"] is JsonArray entries ? string.Join("; ", entries.Take(6).Select(t => t?.ToString())) + (entries.Count > 6 ? "; …" : "") : "?";
        rows.Add(new("input tree", tree, ProbeVerdict.Info));
        rows.Add(new("input writable", YesNo(input?["writable"]), ProbeVerdict.Info, Bool(input?["writable"]) == true ? "" : "the launcher works on a copy"));
        var kept = Bool(input?["exec_bits_kept"]);
        var runs = Bool(input?["exec_runs"]);
        rows.Add(new("execute bits", kept is null ? Str(input, "exec_error") : $"{(kept == true ? "kept" : "lost")} ({Str(input, "exec_mode")}), {(runs == true ? "runs" : "does not run")}",
            kept == true && runs == true ? ProbeVerdict.Ok : ProbeVerdict.Note,
            kept == true && runs == true ? "" : "the launcher copies the bundle and restores execute bits"));

        foreach (var (key, label, missing) in new[] { ("working", "/kaggle/working", ProbeVerdict.Problem), ("temp", "/kaggle/temp", ProbeVerdict.Note) })
        {
            var disk = Root["disk"]?[key];
            var exists = Bool(disk?["exists"]) == true;
            rows.Add(new($"free disk {label}", Error(disk) ?? (exists ? $"{GiB(disk?["free_bytes"])} free of {GiB(disk?["total_bytes"])} ({Str(disk, "path")})" : $"missing ({Str(disk, "path")})"),
                exists ? ProbeVerdict.Info : missing, exists ? "" : key == "temp" ? "the launcher unpacks under /tmp instead" : "outputs cannot be written"));
        }
        return rows;
    }

    /// <summary>
    /// The pinned runtime, the rung a gpu stage would take on this account (the launcher's ladder: a the image's torch,
    /// b the pinned runtime, d a failure; c, the CPU, only for cpu stages), and whether TorchSharp's shim loaded against
    /// that rung's libraries (unknown until a real GPU run: the probe checks it when a trainer bundle is attached).
    /// </summary>
    private IEnumerable<ProbeRow> RuntimeRows(string libtorch, bool rungA, int gpus, string? torchVersion)
    {
        var runtime = Root["runtime"];
        var attached = Bool(runtime?["attached"]) == true;
        var runtimeVersion = runtime?["libtorch"]?.GetValue<string>();
        var runtimeError = Error(runtime) ?? runtime?["error"]?.ToString();
        yield return new("pinned runtime", !attached ? "not attached" : runtimeError ?? $"libtorch {runtimeVersion} · CUDA {Str(runtime, "cuda")} · {Str(runtime, "libraries")} libraries",
            attached && runtimeError is null ? ProbeVerdict.Ok : ProbeVerdict.Info,
            attached ? "" : "prepare it with `steelci kaggle runtime` (needed when the image's torch drifts)");
        var rungB = attached && runtimeError is null && runtimeVersion is not null && Matches(runtimeVersion, libtorch) && gpus > 0;
        var rung = rungA ? "a" : rungB ? "b" : "d";
        yield return new("device rung (gpu stage)", rung switch
        {
            "a" => $"a: the image's torch {torchVersion}",
            "b" => $"b: the pinned CUDA runtime, libtorch {runtimeVersion}",
            _ => $"d: fails (image torch {torchVersion ?? "missing"}, runtime {(attached ? runtimeVersion ?? "unreadable" : "not attached")}, {gpus} GPU(s); TorchSharp binds libtorch {libtorch})",
        }, rung == "d" ? ProbeVerdict.Problem : ProbeVerdict.Ok, rung == "d" ? "gpu stages fail on Kaggle (cpu stages still run)" : "");
        var shim = Root["shim"];
        var check = shim?["checks"]?[rung];
        var shimPath = shim?["shim"]?.GetValue<string>();
        yield return new($"TorchSharp shim loads (rung {rung})", Error(shim) ?? (check is null ? "not checked: no CUDA libtorch for this rung"
                : Bool(check["ok"]) != true ? $"no: {Str(check, "error")}"
                : shimPath is null ? $"libtorch loads ({string.Join(", ", (check["loaded"] as JsonArray ?? []).Select(n => n?.ToString()))}); shim not checked: no trainer bundle attached (--bundle)"
                : $"yes: {Path.GetFileName(shimPath)} with {Str(check, "lib")}"),
            check is null || shimPath is null ? ProbeVerdict.Note : Bool(check["ok"]) == true ? ProbeVerdict.Ok : ProbeVerdict.Problem,
            "unknown until this loads on a real GPU session");
    }

    /// <summary>torch 2.10.0+cu128 matches libtorch 2.10.0 (the launcher's rule: the same major.minor.patch).</summary>
    public static bool Matches(string torchVersion, string libtorch)
    {
        var wanted = libtorch.Split('.').Take(3).ToArray();
        var have = torchVersion.Split('+')[0].Split('.').Take(3).ToArray();
        return wanted.Length == 3 && have.SequenceEqual(wanted);
    }

    /// <summary>A section that failed as a whole (the script's <c>guarded</c> gives <c>{"error": …}</c>), or is missing.</summary>
    private static string? Error(JsonNode? node) => node switch
    {
        null => "not reported",
        JsonObject { Count: 1 } only when only["error"] is JsonValue error => "error: " + error,
        _ => null,
    };

    private static string Str(JsonNode? node, string key) => node?[key] switch
    {
        null => "?",
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        var other => other.ToJsonString(),
    };

    private static bool? Bool(JsonNode? node) => node is JsonValue value && value.TryGetValue<bool>(out var b) ? b : null;

    private static string YesNo(JsonNode? node) => Bool(node) switch { true => "yes", false => "no", null => "?" };

    private static string GiB(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<long>(out var bytes)
            ? (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB"
            : "?";
}
