using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Augur.Batch.Tests;

/// <summary>The test PostgreSQL server survives the port it was given being taken before it could bind it.</summary>
public sealed class PostgresServerTests
{
    [Fact]
    public async Task A_port_taken_by_another_process_makes_postgres_start_again_on_the_next_candidate()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var candidates = new Queue<int>([takenPort]);
        var server = new PostgresServer(() => candidates.TryDequeue(out var port) ? port : PostgresServer.FreePort());
        try
        {
            await server.InitializeAsync();

            Assert.True(server.Starts >= 2, $"postgres started on the taken port {takenPort}"); // a later candidate can be taken too, so at least 2
            Assert.NotEqual(takenPort, server.Port);
            await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={server.Port};Username=postgres;Database=postgres");
            await connection.OpenAsync();
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
