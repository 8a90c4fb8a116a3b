/** NodeMetrics: the validator-set gauges read the checkpoint submitter's last view of the rollup. */
import { expect, it } from "vitest";
import { NodeMetrics } from "../../src/metrics.js";

it("exports the set's epoch, id, weight and pending joins and exits in FIL once the submitter has read them", async () => {
  const metrics = new NodeMetrics();
  const lines = async () => (await metrics.text()).split("\n").filter((l) => l.startsWith("filverse_l1_validator_set"));
  expect(await lines()).toContain("filverse_l1_validator_set_weight_fil 0");
  metrics.validatorSetSource = () => ({
    epoch: 3,
    setId: 2,
    weight: 40n * 10n ** 18n,
    joining: 10n ** 18n / 2n,
    leaving: 10n * 10n ** 18n,
  });
  expect(await lines()).toEqual([
    "filverse_l1_validator_set_epoch 3",
    "filverse_l1_validator_set_id 2",
    "filverse_l1_validator_set_weight_fil 40",
    "filverse_l1_validator_set_joining_fil 0.5",
    "filverse_l1_validator_set_leaving_fil 10",
  ]);
});
