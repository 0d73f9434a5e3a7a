#!/usr/bin/env node
// config/default.yaml's architecture as an idiomatic CDK app, only so bench/bench_cdk.py can time
// `cdk synth` against `generate.py`. One root stack with the same five nested stacks (network, iam,
// ecr, ecs-alb, eks); cross-stack values travel as nested-stack parameters and outputs, as in
// cfngen's root. L2 constructs where CDK users would reach for them; L1 for EKS because the L2
// eks.Cluster builds the cluster through custom-resource Lambdas (a different architecture).
// What still differs from cfngen's templates is listed in README "Benchmarks".
'use strict';

const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const ecr = require('aws-cdk-lib/aws-ecr');
const ecs = require('aws-cdk-lib/aws-ecs');
const eks = require('aws-cdk-lib/aws-eks');
const elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
const iam = require('aws-cdk-lib/aws-iam');
const logs = require('aws-cdk-lib/aws-logs');

const NAME = 'cfngen-dev';
const RETAIN = cdk.RemovalPolicy.RETAIN;

class Network extends cdk.NestedStack {
  constructor(scope, id) {
    super(scope, id, { description: `cfngen ${NAME}: network (VPC, subnets, internet gateway, routes)` });
    // The reserved /24 first, so the public subnets get 10.0.1.0/24 and 10.0.2.0/24 as in cfngen.
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [
        { name: 'reserved', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24, reserved: true },
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: true },
      ],
    });
    for (const subnet of this.vpc.publicSubnets) {
      cdk.Tags.of(subnet).add(`kubernetes.io/cluster/${NAME}`, 'shared');
      cdk.Tags.of(subnet).add('kubernetes.io/role/elb', '1');
    }
  }
}

function serviceRole(scope, id, service, description, props = {}) {
  return new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal(service),
    description: `${NAME}: ${description}`,
    ...props,
  });
}

function regional(resource) {
  const s = cdk.Stack.of;
  return (scope) => `arn:${s(scope).partition}:${resource.service}:${s(scope).region}:${s(scope).account}:${resource.path}`;
}

class Iam extends cdk.NestedStack {
  constructor(scope, id) {
    super(scope, id, { description: `cfngen ${NAME}: IAM roles for ECS tasks, the EKS cluster and EKS nodes` });
    const sameAccount = { StringEquals: { 'aws:SourceAccount': this.account } };
    const ecsTasks = new iam.ServicePrincipal('ecs-tasks.amazonaws.com', { conditions: sameAccount });
    this.taskExecutionRole = new iam.Role(this, 'EcsTaskExecutionRole', {
      assumedBy: ecsTasks,
      description: `${NAME}: lets ECS pull images and ship logs for the tasks`,
      inlinePolicies: {
        'pull-images-write-logs': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'EcrAuthToken', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
            new iam.PolicyStatement({
              sid: 'PullImages',
              actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
              resources: [regional({ service: 'ecr', path: `repository/${NAME}/*` })(this)],
            }),
            new iam.PolicyStatement({
              sid: 'WriteLogs',
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [regional({ service: 'logs', path: `log-group:/ecs/${NAME}/*:*` })(this)],
            }),
          ],
        }),
      },
    });
    cdk.Tags.of(this.taskExecutionRole).add('cfngen:ecr-pull', NAME);
    this.taskRole = new iam.Role(this, 'EcsTaskRole', {
      assumedBy: ecsTasks,
      description: `${NAME}: the identity the application containers run as`,
    });
    this.eksClusterRole = serviceRole(this, 'EksClusterRole', 'eks.amazonaws.com', 'the EKS control plane', {
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSClusterPolicy')],
    });
    this.eksNodeRole = serviceRole(this, 'EksNodeRole', 'ec2.amazonaws.com', 'EC2 instances of the EKS managed node group', {
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSWorkerNodePolicy'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEC2ContainerRegistryPullOnly'),
      ],
    });
    cdk.Tags.of(this.eksNodeRole).add('cfngen:ecr-pull', NAME);
    const eni = regional({ service: 'ec2', path: 'network-interface/*' })(this);
    this.eksVpcCniRole = new iam.Role(this, 'EksVpcCniRole', {
      assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:RequestTag/eks-cluster-name': NAME,
            'aws:RequestTag/kubernetes-namespace': 'kube-system',
            'aws:RequestTag/kubernetes-service-account': 'aws-node',
          },
        },
      }).withSessionTags(),
      description: `${NAME}: the VPC CNI (aws-node) through EKS Pod Identity`,
      inlinePolicies: {
        'vpc-cni': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'DescribeNetwork',
              actions: [
                'ec2:DescribeInstances', 'ec2:DescribeInstanceTypes', 'ec2:DescribeNetworkInterfaces',
                'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeTags',
              ],
              resources: ['*'],
            }),
            new iam.PolicyStatement({
              sid: 'ManageNetworkInterfaces',
              actions: [
                'ec2:AssignPrivateIpAddresses', 'ec2:AttachNetworkInterface', 'ec2:CreateNetworkInterface',
                'ec2:CreateTags', 'ec2:DeleteNetworkInterface', 'ec2:DetachNetworkInterface',
                'ec2:ModifyNetworkInterfaceAttribute', 'ec2:UnassignPrivateIpAddresses',
              ],
              resources: [eni],
            }),
            new iam.PolicyStatement({
              sid: 'AttachToInstances',
              actions: ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface', 'ec2:ModifyNetworkInterfaceAttribute'],
              resources: [regional({ service: 'ec2', path: 'instance/*' })(this)],
            }),
            new iam.PolicyStatement({
              sid: 'UseSubnetsAndSecurityGroups',
              actions: ['ec2:CreateNetworkInterface', 'ec2:ModifyNetworkInterfaceAttribute'],
              resources: [
                regional({ service: 'ec2', path: 'subnet/*' })(this),
                regional({ service: 'ec2', path: 'security-group/*' })(this),
              ],
            }),
          ],
        }),
      },
    });
  }
}

class Ecr extends cdk.NestedStack {
  constructor(scope, id) {
    super(scope, id, { description: `cfngen ${NAME}: ECR repositories` });
    this.repository = new ecr.Repository(this, 'AppRepository', {
      repositoryName: `${NAME}/app`,
      encryption: ecr.RepositoryEncryption.AES_256,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      removalPolicy: RETAIN,
      lifecycleRules: [
        {
          rulePriority: 1,
          description: 'expire untagged images after 14 days',
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: cdk.Duration.days(14),
        },
        {
          rulePriority: 2,
          description: 'keep the newest 50 tagged images',
          tagStatus: ecr.TagStatus.TAGGED,
          tagPatternList: ['*'],
          maxImageCount: 50,
        },
      ],
    });
    this.repository.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PlatformRolesPull',
        principals: [new iam.AccountRootPrincipal()],
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        conditions: { StringEquals: { 'aws:PrincipalTag/cfngen:ecr-pull': NAME } },
      }),
    );
  }
}

class EcsAlb extends cdk.NestedStack {
  constructor(scope, id, { vpc, roles }) {
    super(scope, id, { description: `cfngen ${NAME}: ECS cluster and Fargate services behind an Application Load Balancer` });
    const cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: NAME,
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const logGroup = new logs.LogGroup(this, 'WebLogGroup', {
      logGroupName: `/ecs/${NAME}/web`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RETAIN,
    });
    const task = new ecs.FargateTaskDefinition(this, 'WebTaskDefinition', {
      family: `${NAME}-web`,
      cpu: 256,
      memoryLimitMiB: 512,
      // Immutable imports: as in cfngen, the iam stack owns every policy, so CDK's grants must not
      // write back into it (that would make iam and ecs-alb depend on each other).
      executionRole: iam.Role.fromRoleArn(this, 'ExecutionRole', roles.taskExecutionRole.roleArn, { mutable: false }),
      taskRole: iam.Role.fromRoleArn(this, 'TaskRole', roles.taskRole.roleArn, { mutable: false }),
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    task.addContainer('web', {
      containerName: 'web',
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      memoryLimitMiB: 512,
      essential: true,
      portMappings: [{ containerPort: 80, protocol: ecs.Protocol.TCP }],
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'web' }),
    });
    const taskGroup = new ec2.SecurityGroup(this, 'WebTaskSecurityGroup', {
      vpc,
      description: `${NAME} web tasks: traffic from the load balancer only`,
      allowAllOutbound: false,
    });
    taskGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs (ECR, CloudWatch Logs, STS)');
    taskGroup.addEgressRule(ec2.Peer.ipv4('10.0.0.2/32'), ec2.Port.udp(53), 'DNS to the VPC resolver');
    taskGroup.addEgressRule(ec2.Peer.ipv4('10.0.0.2/32'), ec2.Port.tcp(53), 'DNS over TCP to the VPC resolver');
    const service = new ecs.FargateService(this, 'WebService', {
      cluster,
      taskDefinition: task,
      desiredCount: 2,
      assignPublicIp: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [taskGroup],
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: cdk.Duration.seconds(60),
      enableECSManagedTags: true,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
    const albGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: `${NAME} load balancer: HTTP from the allowed CIDRs`,
      allowAllOutbound: false,
    });
    const alb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      securityGroup: albGroup,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      idleTimeout: cdk.Duration.seconds(60),
      deletionProtection: false,
    });
    const listener = alb.addListener('HttpListener', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: true });
    listener.addTargets('Web', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [service.loadBalancerTarget({ containerName: 'web', containerPort: 80 })],
      deregistrationDelay: cdk.Duration.seconds(30),
      healthCheck: {
        path: '/',
        interval: cdk.Duration.seconds(15),
        timeout: cdk.Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
        healthyHttpCodes: '200-399',
      },
    });
    new cdk.CfnOutput(this, 'LoadBalancerUrl', { value: `http://${alb.loadBalancerDnsName}` });
  }
}

class Eks extends cdk.NestedStack {
  constructor(scope, id, { vpc, roles }) {
    super(scope, id, { description: `cfngen ${NAME}: EKS cluster and managed node group` });
    const subnetIds = vpc.publicSubnets.map((s) => s.subnetId);
    const logGroup = new logs.LogGroup(this, 'ControlPlaneLogGroup', {
      logGroupName: `/aws/eks/${NAME}/cluster`,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RETAIN,
    });
    const cluster = new eks.CfnCluster(this, 'Cluster', {
      name: NAME,
      version: '1.36',
      roleArn: roles.eksClusterRole.roleArn,
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP', bootstrapClusterCreatorAdminPermissions: true },
      logging: {
        clusterLogging: {
          enabledTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].map((type) => ({ type })),
        },
      },
      resourcesVpcConfig: {
        subnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: ['0.0.0.0/0'],
      },
    });
    cluster.node.addDependency(logGroup);
    new eks.CfnNodegroup(this, 'NodeGroup', {
      clusterName: cluster.ref,
      nodeRole: roles.eksNodeRole.roleArn,
      subnets: subnetIds,
      amiType: 'AL2023_x86_64_STANDARD',
      capacityType: 'ON_DEMAND',
      diskSize: 20,
      instanceTypes: ['t3.medium'],
      scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 },
      updateConfig: { maxUnavailable: 1 },
    });
    const podIdentity = new eks.CfnAddon(this, 'EksPodIdentityAgentAddon', {
      addonName: 'eks-pod-identity-agent',
      clusterName: cluster.ref,
      resolveConflicts: 'OVERWRITE',
    });
    const cni = new eks.CfnAddon(this, 'VpcCniAddon', {
      addonName: 'vpc-cni',
      clusterName: cluster.ref,
      resolveConflicts: 'OVERWRITE',
      podIdentityAssociations: [{ roleArn: roles.eksVpcCniRole.roleArn, serviceAccount: 'aws-node' }],
    });
    cni.node.addDependency(podIdentity);
    new cdk.CfnOutput(this, 'EksClusterEndpoint', { value: cluster.attrEndpoint });
  }
}

const app = new cdk.App();
const root = new cdk.Stack(app, NAME, { description: `cfngen ${NAME}: root` });
const network = new Network(root, 'Network');
const roles = new Iam(root, 'Iam');
new Ecr(root, 'Ecr');
new EcsAlb(root, 'EcsAlb', { vpc: network.vpc, roles });
new Eks(root, 'Eks', { vpc: network.vpc, roles });
app.synth();
