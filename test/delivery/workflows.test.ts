import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { type Actionlint, actionlint } from "../support/actionlint";
import { PROJECT_ROOT } from "../support/pulumi-mocks";

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, unknown>>;
}

interface Job {
  readonly "runs-on"?: unknown;
  readonly container?: unknown;
  readonly needs?: unknown;
  readonly environment?: unknown;
  readonly permissions?: unknown;
  readonly concurrency?: unknown;
  readonly strategy?: { readonly matrix?: Readonly<Record<string, unknown>> };
  readonly steps: readonly Step[];
}

interface Workflow {
  readonly on: Readonly<Record<string, unknown>>;
  readonly permissions?: unknown;
  readonly concurrency?: unknown;
  readonly jobs: Readonly<Record<string, Job>>;
}

interface TrustPolicy {
  readonly Version: string;
  readonly Statement: readonly {
    readonly Effect: string;
    readonly Principal: { readonly Federated: string };
    readonly Action: string;
    readonly Condition: Readonly<Record<string, Readonly<Record<string, string | string[]>>>>;
  }[];
}

const GITHUB_DIR = join(PROJECT_ROOT, ".github");
const WORKFLOWS_DIR = join(GITHUB_DIR, "workflows");
const WORKFLOW_FILES = ["ci.yml", "deploy.yml"];
const OIDC_PROVIDER = "token.actions.githubusercontent.com";

function source(file: string): string {
  return readFileSync(join(WORKFLOWS_DIR, file), "utf8");
}

function workflow(file: string): Workflow {
  return parse(source(file)) as Workflow;
}

function trustPolicy(file: string): TrustPolicy {
  return JSON.parse(readFileSync(join(GITHUB_DIR, file), "utf8")) as TrustPolicy;
}

/** The stacks that have a `Pulumi.<stack>.yaml`: every one is previewed and deployed. */
const STACKS = readdirSync(PROJECT_ROOT)
  .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
  .filter((stack): stack is string => stack !== undefined)
  .sort();

/** The trust policy of the role that deploys `stack`, one per stack. */
function deployRoleTrustPolicyFile(stack: string): string {
  return `aws-${stack}-deploy-role-trust-policy.json`;
}

/** The repository variable holding the ARN of the role that deploys `stack`. */
function deployRoleVariable(stack: string): string {
  return `\${{ vars.AWS_${stack.toUpperCase()}_DEPLOY_ROLE_ARN }}`;
}

/** The steps of `job` that use `action` (any version). */
function stepsUsing(job: Job, action: string): Step[] {
  return job.steps.filter((step) => step.uses?.split("@")[0] === action);
}

/** The one step of `job` that uses `action`; fails unless there is exactly one. */
function stepUsing(job: Job, action: string): Step {
  const steps = stepsUsing(job, action);
  expect(steps.length, `steps using ${action}`).to.equal(1);
  return steps[0] as Step;
}

function allJobs(): [string, string, Job][] {
  return WORKFLOW_FILES.flatMap((file) =>
    Object.entries(workflow(file).jobs).map(([name, job]): [string, string, Job] => [file, name, job]),
  );
}

describe("The GitHub Actions workflows (.github/workflows)", () => {
  it("are ci.yml and deploy.yml", () => {
    expect(readdirSync(WORKFLOWS_DIR).sort()).to.deep.equal(WORKFLOW_FILES);
  });

  describe("under actionlint", () => {
    let lint: Actionlint;

    before(async () => {
      lint = await actionlint();
    });

    for (const file of WORKFLOW_FILES) {
      it(`find nothing wrong in ${file}: syntax, expressions, runner labels, action inputs`, () => {
        expect(lint(source(file), file)).to.deep.equal([]);
      });
    }

    it("would report an input pulumi/actions@v6 does not have, such as policy-packs for policyPacks", () => {
      const broken = source("deploy.yml").replace("policyPacks: policy", "policy-packs: policy");
      const line = broken.split("\n").findIndex((text) => text.includes("policy-packs")) + 1;

      const findings = lint(broken, "deploy.yml");

      expect(findings.map(({ line: at, kind }) => ({ line: at, kind }))).to.deep.equal([{ line, kind: "action" }]);
      expect(findings[0]?.message).to.match(
        /^input "policy-packs" is not defined in action "pulumi\/actions@v6"\. available inputs are .*"policyPacks"/,
      );
    });
  });

  describe("every job", () => {
    for (const [file, name, job] of allJobs()) {
      it(`${file} › ${name} runs on ubuntu-latest with the Node of .nvmrc, set up before anything runs`, () => {
        const setupNode = stepUsing(job, "actions/setup-node");
        const firstRun = job.steps.findIndex((step) => step.run !== undefined);

        expect(job["runs-on"]).to.equal("ubuntu-latest");
        expect(setupNode.with?.["node-version-file"]).to.equal(".nvmrc");
        expect(setupNode.with).to.not.have.property("node-version");
        expect(job.steps.indexOf(setupNode)).to.be.lessThan(firstRun);
      });
    }
  });

  describe("every workflow", () => {
    for (const file of WORKFLOW_FILES) {
      it(`${file} asks for an OIDC token and read access to the code, and nothing more`, () => {
        const { permissions, jobs } = workflow(file);

        expect(permissions).to.deep.equal({ contents: "read", "id-token": "write" });
        expect(Object.values(jobs).filter((job) => job.permissions !== undefined)).to.deep.equal([]);
      });

      it(`${file} gets AWS credentials only by assuming a role through OIDC: no access keys anywhere`, () => {
        const credentialSteps = Object.values(workflow(file).jobs).flatMap((job) =>
          stepsUsing(job, "aws-actions/configure-aws-credentials"),
        );

        expect(source(file)).to.not.match(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|access-key/i);
        expect(credentialSteps.length).to.be.greaterThan(0);
        for (const step of credentialSteps) {
          expect(Object.keys(step.with ?? {}).sort()).to.deep.equal(["aws-region", "role-to-assume"]);
          expect(step.with?.["role-to-assume"]).to.match(/^\$\{\{ vars\.AWS_[A-Z_]+_ROLE_ARN \}\}$/);
        }
      });

      it(`${file} runs Pulumi with the policy pack, on the backend the repository configures`, () => {
        const pulumiSteps = Object.values(workflow(file).jobs).flatMap((job) => stepsUsing(job, "pulumi/actions"));

        expect(pulumiSteps.length).to.be.greaterThan(0);
        for (const step of pulumiSteps) {
          expect(step.uses).to.equal("pulumi/actions@v6");
          expect(step.with?.["policyPacks"]).to.equal("policy");
          expect(step.with?.["cloud-url"]).to.equal("${{ vars.PULUMI_BACKEND_URL }}");
          expect(step.env).to.deep.equal({
            PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
            PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
          });
        }
      });
    }
  });

  describe("ci.yml", () => {
    const ci = workflow("ci.yml");

    it("runs on every pull request, a newer push cancelling the run it supersedes", () => {
      expect(Object.keys(ci.on)).to.deep.equal(["pull_request"]);
      expect(ci.concurrency).to.deep.equal({
        group: "ci-${{ github.event.pull_request.number }}",
        "cancel-in-progress": true,
      });
    });

    it("runs the suite as .ci/run does, in the Debian whose Java 17 it installs", () => {
      const test = ci.jobs["test"] as Job;
      const run = readFileSync(join(PROJECT_ROOT, ".ci", "run"), "utf8");

      expect(test.container).to.equal("debian:bookworm");
      expect(test.steps.map((step) => step.run).filter((run) => run !== undefined)).to.deep.equal(["bash .ci/run"]);
      expect(run).to.match(/openjdk-17-jre-headless[\s\S]*npm ci\nnpm test\n$/);
      // The docs page's browser comes with npm ci (@sparticuz/chromium): CI installs none.
      expect(run).not.to.match(/apt-get install[^\n]*chromium/);
    });

    it("previews every stack once the suite passes, as the read-only preview role", () => {
      const preview = ci.jobs["preview"] as Job;
      const pulumi = stepUsing(preview, "pulumi/actions");

      expect(preview.needs).to.equal("test");
      expect(preview.strategy?.matrix?.["stack"]).to.deep.equal(STACKS);
      expect(pulumi.with?.["command"]).to.equal("preview");
      expect(pulumi.with?.["stack-name"]).to.equal("${{ matrix.stack }}");
      expect(stepUsing(preview, "aws-actions/configure-aws-credentials").with?.["role-to-assume"]).to.equal(
        "${{ vars.AWS_PREVIEW_ROLE_ARN }}",
      );
    });
  });

  describe("deploy.yml", () => {
    const deploy = workflow("deploy.yml");
    const jobs = deploy.jobs;

    it("runs on every push to main", () => {
      expect(deploy.on).to.deep.equal({ push: { branches: ["main"] } });
    });

    it("tests exactly as ci.yml does", () => {
      expect(jobs["test"]).to.deep.equal(workflow("ci.yml").jobs["test"]);
    });

    it("updates dev once the suite passes, then prod once dev is up", () => {
      expect(Object.keys(jobs)).to.deep.equal(["test", ...STACKS]);
      expect(jobs["dev"]?.needs).to.equal("test");
      expect(jobs["prod"]?.needs).to.equal("dev");
    });

    it("updates prod only through the production environment, whose reviewers approve it", () => {
      expect(jobs["prod"]?.environment).to.equal("production");
      expect(jobs["dev"]?.environment).to.equal(undefined);
    });

    for (const stack of STACKS) {
      it(`runs pulumi up on ${stack} as ${stack}'s own deploy role, one update of ${stack} at a time, never cancelled mid-way`, () => {
        const job = jobs[stack] as Job;
        const pulumi = stepUsing(job, "pulumi/actions");

        expect(pulumi.with?.["command"]).to.equal("up");
        expect(pulumi.with?.["stack-name"]).to.equal(stack);
        expect(stepUsing(job, "aws-actions/configure-aws-credentials").with?.["role-to-assume"]).to.equal(
          deployRoleVariable(stack),
        );
        expect(job.concurrency).to.deep.equal({ group: `pulumi-up-${stack}`, "cancel-in-progress": false });
      });
    }
  });

  describe("the AWS roles' trust policies", () => {
    /** What GitHub puts in the token's `sub` for a job of this repository (`OWNER/REPO` until it is set). */
    function subject(claim: string): string {
      return `repo:OWNER/REPO:${claim}`;
    }

    function onlyStatement(policy: TrustPolicy): TrustPolicy["Statement"][number] {
      expect(policy.Version).to.equal("2012-10-17");
      expect(policy.Statement.length).to.equal(1);
      return policy.Statement[0] as TrustPolicy["Statement"][number];
    }

    it("are one deploy role per stack, and the preview role", () => {
      const files = readdirSync(GITHUB_DIR).filter((file) => file.endsWith("-trust-policy.json"));

      expect(files.sort()).to.deep.equal(
        [...STACKS.map(deployRoleTrustPolicyFile), "aws-preview-role-trust-policy.json"].sort(),
      );
    });

    for (const file of [...STACKS.map(deployRoleTrustPolicyFile), "aws-preview-role-trust-policy.json"]) {
      it(`${file} lets only GitHub's OIDC provider assume the role, for STS, on exact claims`, () => {
        const statement = onlyStatement(trustPolicy(file));

        expect(statement.Effect).to.equal("Allow");
        expect(statement.Action).to.equal("sts:AssumeRoleWithWebIdentity");
        expect(statement.Principal).to.deep.equal({
          Federated: `arn:aws:iam::123456789012:oidc-provider/${OIDC_PROVIDER}`,
        });
        // StringEquals only: a StringLike wildcard on sub would let other refs or environments in.
        expect(Object.keys(statement.Condition)).to.deep.equal(["StringEquals"]);
        expect(Object.keys(statement.Condition["StringEquals"] ?? {}).sort()).to.deep.equal([
          `${OIDC_PROVIDER}:aud`,
          `${OIDC_PROVIDER}:sub`,
        ]);
        expect(statement.Condition["StringEquals"]?.[`${OIDC_PROVIDER}:aud`]).to.equal("sts.amazonaws.com");
      });
    }

    for (const stack of STACKS) {
      it(`trusts only the deploy.yml job that updates ${stack} with ${stack}'s deploy role: its environment, else main`, () => {
        const deploy = workflow("deploy.yml");
        const job = deploy.jobs[stack] as Job;
        const [branch] = (deploy.on["push"] as { branches: string[] }).branches;
        // GitHub's sub names the job's environment when it has one, else the branch it runs on.
        const claim =
          job.environment === undefined ? `ref:refs/heads/${branch}` : `environment:${String(job.environment)}`;

        const trusted = onlyStatement(trustPolicy(deployRoleTrustPolicyFile(stack))).Condition["StringEquals"]?.[
          `${OIDC_PROVIDER}:sub`
        ];

        expect(trusted).to.equal(subject(claim));
      });
    }

    it("trusts only the production environment with prod's deploy role, so main alone never gets prod credentials", () => {
      const trusted = onlyStatement(trustPolicy(deployRoleTrustPolicyFile("prod"))).Condition["StringEquals"]?.[
        `${OIDC_PROVIDER}:sub`
      ];

      expect(trusted).to.equal(subject("environment:production"));
      expect(workflow("deploy.yml").jobs["prod"]?.environment).to.equal("production");
    });

    it("gives no two roles a subject in common: each job's token opens one role", () => {
      const subjects = [...STACKS.map(deployRoleTrustPolicyFile), "aws-preview-role-trust-policy.json"].flatMap(
        (file) => [onlyStatement(trustPolicy(file)).Condition["StringEquals"]?.[`${OIDC_PROVIDER}:sub`]].flat(),
      );

      expect(new Set(subjects).size).to.equal(subjects.length);
    });

    it("trusts pull requests with the preview role only", () => {
      const trusted = onlyStatement(trustPolicy("aws-preview-role-trust-policy.json")).Condition["StringEquals"]?.[
        `${OIDC_PROVIDER}:sub`
      ];

      expect(trusted).to.equal(subject("pull_request"));
    });
  });

  it("run the policy pack of policy/, a Node.js pack", () => {
    expect(parse(readFileSync(join(PROJECT_ROOT, "policy", "PulumiPolicy.yaml"), "utf8"))).to.have.property(
      "runtime",
      "nodejs",
    );
  });
});
