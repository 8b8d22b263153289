using Augur.OnnxRuntime.Samples;

namespace Augur.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class FraudSampleTests(ServerFixture server)
{
    private const int MaxBatch = 64;

    [Fact]
    public async Task The_fraud_sample_predicts_held_out_rows_with_at_least_95_percent_accuracy()
    {
        var rows = FraudData.Generate(200, 7);
        var correct = 0;

        for (var start = 0; start < rows.Length; start += MaxBatch)
        {
            var batch = rows[start..Math.Min(start + MaxBatch, rows.Length)];
            var reply = await server.PostAsync("/v2/models/fraud/infer", Bodies.Request(Bodies.FraudFeatures(batch)));

            Expect.Ok(reply);
            var probability = reply.Output("probability");
            var label = reply.Output("label");
            Assert.Equal([(long)batch.Length, 1], Bodies.ReadShape(probability));
            Assert.Equal([(long)batch.Length, 1], Bodies.ReadShape(label));
            var probabilities = Bodies.ReadFloats(probability["data"]!);
            var labels = Bodies.ReadLongs(label["data"]!);
            for (var i = 0; i < batch.Length; i++)
            {
                Assert.InRange(probabilities[i], 0f, 1f);
                Assert.Equal(probabilities[i] >= 0.5f ? 1 : 0, labels[i]);
                if ((labels[i] == 1) == FraudData.IsFraud(batch[i]))
                {
                    correct++;
                }
            }
        }

        var accuracy = correct / (double)rows.Length;
        Assert.True(accuracy >= 0.95, $"accuracy {accuracy:P1} ({correct}/{rows.Length}) is below 95%");
    }
}
