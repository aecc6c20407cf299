using SteelCI.Slurm;
using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>
/// Composes the slurm backend from steelci.yml's compute.slurm: one HttpClient to slurmrestd, the token read from the
/// environment variable the spec names (never from the file, never logged).
/// </summary>
public sealed class SlurmWiring : IDisposable
{
    private readonly HttpClient _http;

    private SlurmWiring(HttpClient http, SlurmRestClient client, SlurmBackend backend, SlurmOptions options)
    {
        _http = http;
        Client = client;
        Backend = backend;
        Options = options;
    }

    public SlurmRestClient Client { get; }
    public SlurmBackend Backend { get; }
    public SlurmOptions Options { get; }

    public static SlurmWiring Create(Pipeline pipeline)
    {
        var spec = pipeline.Compute.Slurm ?? throw new SpecException(new SpecLocation(pipeline.SpecPath, 1, 1),
            "backend slurm needs a compute.slurm section (rest_url, user, partition, shared_dir; docs/compute.md)");
        var options = SlurmOptions.From(spec);
        Directory.CreateDirectory(options.SharedDir);
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var client = new SlurmRestClient(http, options, Environment.GetEnvironmentVariable);
        return new SlurmWiring(http, client, new SlurmBackend(client, options), options);
    }

    public void Dispose() => _http.Dispose();
}
