using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace SteelCI.Kaggle.Fake;

/// <summary>
/// <c>GET /v1/kernels/logs/stream/{owner}/{slug}</c> (and under <c>/api</c>), as the official CLI reads it
/// (kaggle-cli <c>kernels_logs_stream</c>, kaggle-api.md §2.5, §8): while the latest version runs, server-sent events
/// <c>data: {"stream_name","time","data"}</c>, from the start of the log on every connection, new lines as the kernel
/// writes them (looked for every <see cref="FakeKaggleOptions.LogStreamInterval"/> of the fake's clock), and
/// <c>data: END_OF_LOG</c> when it ends; once ended, the whole log as one JSON array (not SSE).
/// <see cref="FakeFaults.DropLogStreams"/> cuts a stream after <see cref="FakeFaults.LogStreamDropAfter"/> events, as
/// the service's load balancer cuts SSE connections.
/// </summary>
internal sealed class FakeLogStream(FakeKaggleState state, FakeKaggleOptions options, FakeFaults faults, FakeKernelService kernels,
    Func<string, string?> authenticate)
{
    public async Task Serve(HttpContext context, string owner, string slug)
    {
        state.CountCall("LogsStream");
        var user = authenticate(context.Request.Headers.Authorization.ToString());
        if (user is null)
        {
            await Write(context, 401, "application/json", """{"error":{"code":401,"message":"Unauthenticated","status":"UNAUTHENTICATED"}}""");
            return;
        }
        FakeKernelVersion? version;
        lock (state.Gate)
        {
            kernels.Advance();
            version = state.Kernels.TryGetValue($"{owner}/{slug}", out var kernel) && kernel.Owner == user ? kernel.Latest : null;
        }
        if (version is null) // the CLI turns 401/403 into "Permission 'kernels.get' was denied ... wrong kernel slug"
        {
            await Write(context, 403, "application/json",
                """{"error":{"code":403,"message":"Permission 'kernels.get' was denied","status":"PERMISSION_DENIED"}}""");
            return;
        }
        if (!version.IsActive)
        {
            await Write(context, 200, "application/json", JsonSerializer.Serialize(Entries(version).Select(Event)));
            return;
        }

        var drop = faults.TakeLogStreamDrop();
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        await context.Response.Body.FlushAsync(context.RequestAborted);
        var sent = 0;
        while (true)
        {
            bool active;
            IReadOnlyList<FakeLogEntry> entries;
            lock (state.Gate)
            {
                kernels.Advance();
                active = version.IsActive;
                entries = Entries(version);
            }
            foreach (var entry in entries.Skip(sent))
            {
                if (drop && sent >= faults.LogStreamDropAfter)
                {
                    context.Abort();
                    return;
                }
                await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(Event(entry))}\n\n", context.RequestAborted);
                sent++;
            }
            await context.Response.Body.FlushAsync(context.RequestAborted);
            if (!active)
            {
                await context.Response.WriteAsync("data: END_OF_LOG\n\n", context.RequestAborted);
                return;
            }
            await Task.Delay(options.LogStreamInterval, options.Time, context.RequestAborted);
        }
    }

    private static IReadOnlyList<FakeLogEntry> Entries(FakeKernelVersion version) => version.Run?.Log() ?? [];

    private static Dictionary<string, object> Event(FakeLogEntry e) => new() { ["stream_name"] = e.Stream, ["time"] = e.Time, ["data"] = e.Data };

    private static async Task Write(HttpContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body, Encoding.UTF8, context.RequestAborted);
    }
}
