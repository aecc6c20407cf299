using System.CommandLine;
using System.Security.Cryptography;
using SteelCI.GitHub.Fake;

namespace SteelCI.Cli;

/// <summary><c>steelci fake github</c>: the loopback fake of GitHub's releases API in the foreground.</summary>
public static class FakeGitHubCommand
{
    public static Command Create(CliServices services)
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0: any free port)", DefaultValueFactory = _ => 8643 };
        var token = new Option<string?>("--token") { Description = "The token clients must send (default: a generated one, printed)" };
        var command = new Command("github", "Start a loopback fake of GitHub's releases API (Ctrl+C stops it)") { port, token };
        command.SetAction(async (result, cancellationToken) =>
        {
            var secret = result.GetValue(token) ?? "ghp_fake_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            await using var server = await FakeGitHubServer.StartAsync(new FakeGitHubOptions { Port = result.GetValue(port), Token = secret, Time = services.Time }, cancellationToken);
            // Plain lines, never wrapped: they are meant to be copied into a shell.
            services.Out.WriteLine($"fake GitHub releases API at {server.ApiUri} (Ctrl+C stops it). Point a pipeline at it with:");
            services.Out.WriteLine($"  export GITHUB_API_URL={server.ApiUri.ToString().TrimEnd('/')} GITHUB_REPOSITORY=team/checkpoints STEELCI_GITHUB_TOKEN={secret}");
            services.Out.WriteLine("  dotnet cake --store=github        (or: steelci run kernels/severstal/steelci.yml --store github)");
            await server.RunUntilCancelledAsync(cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }
}
